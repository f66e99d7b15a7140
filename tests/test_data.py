"""ember.utils.data against torch.utils.data: the same seeds give the same batches in the
same order, worker processes give the same data and seeds, collate builds the same
structures, and bad arguments raise the same errors."""

import collections
import random
import warnings

import numpy as np
import pytest
from torch.utils import data as tdata

import ember
from ember.utils import data as edata
from oracle import torch

LIBS = ((ember, edata), (torch, tdata))
Point = collections.namedtuple("Point", "x y")


def plain(value):
    """A structure of tensors (ember or torch) as comparable Python values."""
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return ("tensor", repr(value.dtype), tuple(value.shape), value.detach().numpy().tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {key: plain(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(item) for item in value])
    return value


def both(fn):
    """``fn(lib, data_module)`` run on ember and on torch, as plain values."""
    return [plain(fn(lib, module)) for lib, module in LIBS]


def assert_same(fn):
    ours, theirs = both(fn)
    assert ours == theirs


def assert_same_error(fn):
    errors = []
    for lib, module in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib, module)
        errors.append((info.type, str(info.value).splitlines()[0] if str(info.value) else ""))
    assert errors[0] == errors[1]


X = np.arange(46, dtype=np.float32).reshape(23, 2)
Y = np.arange(23)


def tensor_dataset(lib, module):
    return module.TensorDataset(lib.from_numpy(X.copy()), lib.from_numpy(Y.copy()))


def epochs(lib, loader, count=2):
    """Every batch of ``count`` epochs, then a draw showing where the generator stands."""
    out = [list(loader) for _ in range(count)]
    return out, lib.rand(3)


# ---- DataLoader in the main process ---------------------------------------------------------

@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (5, False), (5, True), (23, True),
                                                   (40, False)])
def test_shuffle_matches_torch(batch_size, drop_last):
    def run(lib, module):
        lib.manual_seed(7)
        loader = module.DataLoader(tensor_dataset(lib, module), batch_size=batch_size,
                                   shuffle=True, drop_last=drop_last)
        return len(loader), epochs(lib, loader)
    assert_same(run)


def test_shuffle_with_generator_and_sequential():
    def run(lib, module):
        lib.manual_seed(0)
        generator = lib.Generator().manual_seed(123)
        dataset = tensor_dataset(lib, module)
        shuffled = module.DataLoader(dataset, batch_size=4, shuffle=True, generator=generator)
        ordered = module.DataLoader(dataset, batch_size=6)
        return epochs(lib, shuffled), list(ordered), generator.initial_seed()
    assert_same(run)


def test_no_auto_collation_and_samplers():
    def run(lib, module):
        lib.manual_seed(3)
        dataset = tensor_dataset(lib, module)
        single = module.DataLoader(dataset, batch_size=None)
        sampler = module.RandomSampler(dataset, replacement=True, num_samples=9)
        by_sampler = module.DataLoader(dataset, batch_size=4, sampler=sampler)
        batches = module.BatchSampler(module.SequentialSampler(dataset), 10, False)
        by_batches = module.DataLoader(dataset, batch_sampler=batches)
        return list(single)[:3], list(by_sampler), list(by_batches), len(by_batches)
    assert_same(run)


def test_custom_collate_and_pin_memory_without_warning():
    def run(lib, module):
        lib.manual_seed(1)
        loader = module.DataLoader(list(range(10)), batch_size=3, shuffle=True,
                                   collate_fn=lambda batch: sum(batch))
        return list(loader)
    assert_same(run)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(edata.DataLoader(list(range(4)), batch_size=2, pin_memory=True))) == 2


class Stream(edata.IterableDataset):
    """Yields ``range(n)``; under workers, each worker its interleaved share."""

    def __init__(self, n, info):
        self.n, self.info = n, info

    def __iter__(self):
        worker = self.info()
        if worker is None:
            return iter(range(self.n))
        return iter(range(worker.id, self.n, worker.num_workers))

    def __len__(self):
        return self.n


class TorchStream(tdata.IterableDataset):
    __init__, __iter__, __len__ = Stream.__init__, Stream.__iter__, Stream.__len__


def stream(module, n=11):
    kind = Stream if module is edata else TorchStream
    return kind(n, module.get_worker_info)


def test_iterable_dataset_batches():
    def run(lib, module):
        loader = module.DataLoader(stream(module), batch_size=4)
        dropped = module.DataLoader(stream(module), batch_size=4, drop_last=True)
        return list(loader), list(dropped), len(loader), len(dropped)
    assert_same(run)


# ---- worker processes -----------------------------------------------------------------------

class Seeds:
    """Sample ``i``: the worker's id and seed, and one draw from each random source."""

    def __init__(self, lib, module):
        self.lib, self.module = lib, module

    def __len__(self):
        return 8

    def __getitem__(self, index):
        info = self.module.get_worker_info()
        return {"index": index, "worker": info.id, "seed": info.seed,
                "lib": self.lib.rand(2), "numpy": float(np.random.rand()),
                "python": random.random()}


def test_workers_match_torch_data_and_seeds():
    def run(lib, module):
        lib.manual_seed(5)
        loader = module.DataLoader(Seeds(lib, module), batch_size=3, shuffle=True,
                                   num_workers=2)
        return list(loader), lib.rand(2)
    assert_same(run)


def test_workers_give_the_same_data_as_the_main_process():
    def run(num_workers, **options):
        ember.manual_seed(11)
        loader = edata.DataLoader(tensor_dataset(ember, edata), batch_size=4, shuffle=True,
                                  num_workers=num_workers, **options)
        return [[plain(batch) for batch in loader] for _ in range(2)], ember.rand(3).tolist()

    ordered = run(0)
    assert run(2) == ordered
    # persistent workers draw the base seed once, not each epoch: only epoch 1 is the same
    assert run(2, persistent_workers=True, prefetch_factor=1)[0][0] == ordered[0][0]
    unordered, after = run(2, in_order=False)
    assert [sorted(map(repr, epoch)) for epoch in unordered] == \
        [sorted(map(repr, epoch)) for epoch in ordered[0]]
    assert after == ordered[1]


def test_persistent_workers_and_iterable_dataset_match_torch():
    def run(lib, module):
        lib.manual_seed(2)
        shuffled = module.DataLoader(tensor_dataset(lib, module), batch_size=5, shuffle=True,
                                     num_workers=2, persistent_workers=True)
        streamed = module.DataLoader(stream(module), batch_size=3, num_workers=2)
        return epochs(lib, shuffled, 3), sorted(x for b in streamed for x in b.tolist())
    assert_same(run)


def record_worker(worker_id):
    info = edata.get_worker_info()
    info.dataset.calls.append((worker_id, info.num_workers))


class Failing(edata.Dataset):
    def __init__(self):
        self.calls = []

    def __len__(self):
        return 4

    def __getitem__(self, index):
        if index == 3:
            raise ValueError(f"bad sample {index}")
        return self.calls[-1]


def test_worker_init_fn_and_worker_errors():
    loader = edata.DataLoader(Failing(), batch_size=1, num_workers=2,
                              worker_init_fn=record_worker)
    batches = iter(loader)
    assert [[t.tolist() for t in next(batches)] for _ in range(3)] == [[[0], [2]], [[1], [2]],
                                                                       [[0], [2]]]
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1"):
        next(batches)
    assert edata.get_worker_info() is None


# ---- collate --------------------------------------------------------------------------------

def samples(lib):
    return [{"t": lib.tensor([i, i + 1.0]), "n": np.full((2,), i, dtype=np.int32),
             "f": i / 2, "i": i, "b": bool(i % 2), "s": f"s{i}", "by": b"x",
             "np": np.float64(i), "pair": (lib.tensor(i), [i, 2 * i]),
             "point": Point(i, lib.tensor([i]))} for i in range(3)]


def test_default_collate_nested_structures():
    assert_same(lambda lib, module: module.default_collate(samples(lib)))
    assert_same(lambda lib, module: module.default_convert(
        [np.arange(3), (np.float32(1.5), "a"), {"k": np.ones(2)}, Point(np.int64(2), 3)]))


def test_collate_errors():
    assert_same_error(lambda lib, module: module.default_collate([[1, 2], [3]]))
    assert_same_error(lambda lib, module: module.default_collate([object()]))
    assert_same_error(lambda lib, module: module.default_collate([np.array(["a"])]))
    assert_same_error(lambda lib, module: module.default_collate([lib.ones(2), lib.ones(3)]))


# ---- datasets, samplers, random_split -------------------------------------------------------

def test_random_split_matches_torch():
    def run(lib, module):
        lib.manual_seed(4)
        by_fraction = module.random_split(range(10), [0.3, 0.3, 0.4])
        by_length = module.random_split(range(7), [2, 5],
                                        generator=lib.Generator().manual_seed(9))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tiny = module.random_split(range(2), [0.9, 0.1])
        return ([s.indices for s in by_fraction], [s.indices for s in by_length],
                [s.indices for s in tiny], [str(w.message) for w in caught], lib.rand(1))
    assert_same(run)
    assert_same_error(lambda lib, module: module.random_split(range(5), [2, 2]))


def test_samplers_match_torch():
    def run(lib, module):
        lib.manual_seed(8)
        weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
        return (list(module.RandomSampler(range(10), replacement=True, num_samples=70)),
                list(module.RandomSampler(range(4), num_samples=10)),
                list(module.SubsetRandomSampler([5, 7, 9, 11])),
                list(module.WeightedRandomSampler(weights, 12)),
                list(module.WeightedRandomSampler(weights, 4, replacement=False)),
                list(module.BatchSampler(range(7), 3, True)),
                len(module.BatchSampler(range(7), 3, False)), lib.rand(2))
    assert_same(run)


@pytest.mark.parametrize("make", [
    lambda m: m.RandomSampler(range(3), replacement=1),
    lambda m: m.RandomSampler(range(3), num_samples=0),
    lambda m: m.WeightedRandomSampler([1.0], num_samples=True),
    lambda m: m.WeightedRandomSampler([[1.0]], num_samples=1),
    lambda m: m.BatchSampler(range(3), 0, False),
    lambda m: m.BatchSampler(range(3), 2, None),
])
def test_sampler_errors(make):
    assert_same_error(lambda lib, module: make(module))


def test_datasets_match_torch():
    def run(lib, module):
        first = tensor_dataset(lib, module)
        concat = first + module.TensorDataset(lib.zeros(3, 2), lib.ones(3))
        stacked = module.StackDataset(a=range(4), b=list("wxyz"))
        stacked_tuple = module.StackDataset(range(3), range(10, 13))
        subset = module.Subset(first, [4, 0, 2])
        chain = stream(module, 3) + stream(module, 2)
        return (len(concat), concat[-1], concat[23], concat[5], stacked[2],
                stacked.__getitems__([0, 3]), stacked_tuple.__getitems__([1, 2]), subset[1],
                subset.__getitems__([0, 2]), list(chain), len(chain))
    assert_same(run)
    assert_same_error(lambda lib, module: module.TensorDataset(lib.ones(2), lib.ones(3)))
    assert_same_error(lambda lib, module: module.ConcatDataset([range(2)])[-3])
    assert_same_error(lambda lib, module: module.ConcatDataset([stream(module)]))
    assert_same_error(lambda lib, module: module.StackDataset(range(2), range(3)))


@pytest.mark.parametrize("options", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_size=None, drop_last=True),
    dict(multiprocessing_context="fork"), dict(num_workers=1, multiprocessing_context="nope"),
])
def test_dataloader_argument_errors(options):
    assert_same_error(lambda lib, module: module.DataLoader(range(4), **options))


def test_dataloader_misuse_errors():
    assert_same_error(lambda lib, module: module.DataLoader(stream(module), shuffle=True))
    assert_same_error(lambda lib, module: setattr(module.DataLoader(range(3)), "batch_size", 2))
    assert_same_error(lambda lib, module: iter(module.DataLoader(range(3), timeout=1)))


class Slow(edata.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        import time
        time.sleep(1.0)
        return index


def test_worker_timeout():
    loader = edata.DataLoader(Slow(), num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0\.2 seconds"):
        next(iter(loader))
