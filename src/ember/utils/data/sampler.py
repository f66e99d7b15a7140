"""Samplers: iterables of dataset indices (``SequentialSampler``, ``RandomSampler``,
``SubsetRandomSampler``, ``WeightedRandomSampler``) and of index batches
(``BatchSampler``).

Random samplers draw from ``ember.random`` exactly as PyTorch's draw from its CPU
generator. ``RandomSampler`` without a generator takes a 63-bit seed from the default
generator each epoch and shuffles with a fresh ``Generator`` seeded by it, so under the same
``manual_seed`` it yields PyTorch's order.
"""

import itertools

import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _generator(generator):
    from ember.random import default_generator

    return default_generator if generator is None else generator


def _draw_seed(generator=None):
    """``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``."""
    return int(_generator(generator)._random((), np.int64))


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Sampler:
    """Base class: ``__iter__`` yields indices (or lists of indices); ``__len__`` is
    optional."""

    def __iter__(self):
        # Abstract, as in PyTorch: every sampler defines its order.
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A shuffled order (``replacement=False``) or independent uniform draws
    (``replacement=True``), ``num_samples`` of them (default ``len(data_source)``)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        from ember.random import Generator

        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = Generator().manual_seed(_draw_seed())
        if self.replacement:
            # PyTorch draws in blocks of 32, which fixes how the stream is consumed
            for _ in range(self.num_samples // 32):
                yield from generator._randint(32, np.int64, 0, n).tolist()
            yield from generator._randint(self.num_samples % 32, np.int64, 0, n).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from generator._randperm(n, np.int64).tolist()
            yield from generator._randperm(n, np.int64).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, without replacement."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _generator(self.generator)._randperm(len(self.indices), np.int64).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0 .. len(weights) - 1`` drawn with probabilities proportional to
    ``weights`` (``torch.multinomial``)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        from ember import as_tensor, float64

        if not _positive_int(num_samples):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights = as_tensor(weights, dtype=float64)
        if weights.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        draws = _generator(self.generator)._multinomial(self.weights._data, self.num_samples,
                                                        self.replacement)
        yield from draws.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last, shorter
    list is kept unless ``drop_last``."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
