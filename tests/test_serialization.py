"""ember.save / ember.load against torch.save / torch.load: files move both ways, shared
storages stay shared, weights-only loads refuse foreign code, bad files fail clearly, and
saves are atomic. Also the optional safetensors bridge."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import ember
from oracle import assert_same_tensor, torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]


def saved(lib, obj, **options):
    buffer = io.BytesIO()
    lib.save(obj, buffer, **options)
    return buffer.getvalue()


def torch_load(raw, **options):
    return torch.load(io.BytesIO(raw), weights_only=True, **options)


def ember_load(raw, **options):
    return ember.load(io.BytesIO(raw), **options)


def rewrite(raw, transform, compression=zipfile.ZIP_STORED):
    """The archive ``raw`` with ``transform(name, data)`` applied to every record."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, transform(info.filename, source.read(info)))
    return out.getvalue()


def values(rng, dtype):
    data = rng.standard_normal((3, 4)) * 10
    if dtype.startswith("complex"):
        data = data + 1j * rng.standard_normal((3, 4))
    return data.astype(dtype)


# ---- interchange with PyTorch -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_both_ways(dtype):
    array = values(np.random.default_rng(0), dtype)
    ours = ember_load(saved(torch, {"x": torch.from_numpy(array),
                                    "t": torch.from_numpy(array).t()}))
    theirs = torch_load(saved(ember, {"x": ember.from_numpy(array),
                                      "t": ember.from_numpy(array).t()}))
    for key in ("x", "t"):
        assert repr(ours[key].dtype) == repr(theirs[key].dtype)
        assert ours[key].stride() == theirs[key].stride()
        np.testing.assert_array_equal(ours[key].numpy(), theirs[key].numpy())
        np.testing.assert_array_equal(ours[key].numpy(), array.T if key == "t" else array)


def test_torch_model_and_optimizer_state_load_in_ember_and_back():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 3)).sum().backward()
    optimizer.step()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "epoch": 3, "weight": model[0].weight}
    loaded = ember_load(saved(torch, checkpoint))
    assert list(loaded["model"]) == list(checkpoint["model"])
    assert loaded["model"]._metadata == checkpoint["model"]._metadata
    for key, value in checkpoint["model"].items():
        assert_same_tensor(loaded["model"][key], value, atol=0, rtol=0)
    assert isinstance(loaded["weight"], ember.nn.Parameter) and loaded["weight"].requires_grad
    state = loaded["optimizer"]["state"][0]
    assert_same_tensor(state["exp_avg_sq"], optimizer.state_dict()["state"][0]["exp_avg_sq"])
    assert loaded["optimizer"]["param_groups"] == optimizer.state_dict()["param_groups"]
    back = torch_load(saved(ember, loaded))
    assert torch.equal(back["optimizer"]["state"][1]["exp_avg"],
                       optimizer.state_dict()["state"][1]["exp_avg"])
    fresh = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    fresh.load_state_dict(back["model"])
    assert torch.equal(fresh[1].running_var, model[1].running_var)


def test_ember_model_loads_in_torch():
    ember.manual_seed(1)
    model = ember.nn.Linear(4, 2)
    twin = torch.nn.Linear(4, 2)
    twin.load_state_dict(torch_load(saved(ember, model.state_dict())))
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    assert_same_tensor(model(ember.from_numpy(x)), twin(torch.from_numpy(x)))


def test_pickle_is_the_one_torch_writes():
    def checkpoint(lib):
        x = lib.arange(6.0).reshape(2, 3)
        return {"w": x, "col": x[:, 1], "p": lib.nn.Parameter(lib.ones(2)), "i": lib.tensor([7]),
                "meta": [1, 2.5, "a", None, True, (lib.float16, lib.Size([2, 3]))]}

    def pickled(lib):
        return zipfile.ZipFile(io.BytesIO(saved(lib, checkpoint(lib)))).read("archive/data.pkl")
    assert pickled(ember) == pickled(torch)


def test_values_that_are_not_tensors():
    obj = {"size": ember.Size([2, 3]), "device": ember.device("cpu"), "dtype": ember.int16,
           "bytes": b"\x00\xff", "set": {1, 2}, "complex": 1 + 2j, "nested": [(1, [2.5])],
           "bytearray": bytearray(b"ab")}
    for protocol in (2, 4):  # torch's weights-only reader knows protocol 2 only
        theirs = torch.load(io.BytesIO(saved(ember, obj, pickle_protocol=protocol)),
                            weights_only=protocol == 2)
        assert theirs["size"] == torch.Size([2, 3]) and theirs["dtype"] is torch.int16
        assert theirs["device"] == torch.device("cpu")
        assert {k: v for k, v in theirs.items() if k not in ("size", "dtype", "device")} == \
            {k: v for k, v in obj.items() if k not in ("size", "dtype", "device")}
    ours = ember_load(saved(torch, {"size": torch.Size([4]), "dtype": torch.bool,
                                    "device": torch.device("cpu")}))
    assert ours == {"size": ember.Size([4]), "dtype": ember.bool, "device": ember.device("cpu")}
    assert isinstance(ours["size"], ember.Size)


def test_tensor_attributes_and_subclass_state_travel():
    param = torch.nn.Parameter(torch.ones(2))
    param.tag = "head"
    plain = torch.zeros(2)
    plain.note = 5
    loaded = ember_load(saved(torch, [param, plain]))
    assert isinstance(loaded[0], ember.nn.Parameter) and loaded[0].tag == "head"
    assert loaded[1].note == 5
    ember_param = ember.nn.Parameter(ember.ones(3))
    ember_param.tag = "tail"
    theirs = torch_load(saved(ember, ember_param))
    assert isinstance(theirs, torch.nn.Parameter) and theirs.tag == "tail"


class Tagged(ember.Tensor):
    pass


def test_tensor_subclasses_round_trip_with_weights_only_false():
    tagged = Tagged._from_array(np.arange(3.0))
    tagged.label = "x"
    loaded = ember_load(saved(ember, tagged), weights_only=False)
    assert type(loaded) is Tagged and loaded.label == "x" and loaded.tolist() == [0, 1, 2]
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {__name__}.Tagged"):
        ember_load(saved(ember, tagged))


def test_conj_and_neg_bits_are_materialised():
    z = torch.tensor([1 + 2j, 3 - 1j])
    x = torch.tensor([1.5, -2.0])
    loaded = ember_load(saved(torch, {"conj": z.conj(), "neg": torch._neg_view(x)}))
    assert loaded["conj"].tolist() == z.conj().tolist()
    assert loaded["neg"].tolist() == (-x).tolist()


# ---- shared storages --------------------------------------------------------------------------

def test_ember_views_stay_views_in_torch_and_ember():
    base = ember.arange(12.0).reshape(3, 4)
    views = {"base": base, "col": base[:, 1], "row": base[2], "t": base.t(),
             "expanded": base[0].expand(2, 4), "other": ember.ones(2)}
    raw = saved(ember, views)
    assert len([n for n in zipfile.ZipFile(io.BytesIO(raw)).namelist() if "/data/" in n]) == 2
    theirs = torch_load(raw)
    assert theirs["expanded"].stride() == (0, 1)
    assert theirs["col"].untyped_storage().data_ptr() == theirs["t"].untyped_storage().data_ptr()
    theirs["base"][1, 1] = -1.0
    assert theirs["col"][1] == -1.0 and theirs["t"][1, 1] == -1.0
    ours = ember_load(raw)
    ours["base"].numpy()[2, 3] = -7.0  # write through the shared memory itself
    assert ours["row"][3].item() == -7.0 and ours["t"][3, 2].item() == -7.0
    assert not np.shares_memory(ours["other"].numpy(), ours["base"].numpy())


def test_torch_views_stay_views_in_ember():
    base = torch.arange(10.0)
    ours = ember_load(saved(torch, [base, base[2:8:2], base.view(2, 5).t()]))
    assert ours[1].stride() == (2,) and ours[2].stride() == (1, 5)
    ours[0].numpy()[4] = 100.0
    assert ours[1][1].item() == 100.0 and ours[2][4, 0].item() == 100.0


def test_one_memory_as_two_dtypes_is_refused_like_torch():
    floats = np.arange(4, dtype=np.float32)
    mixed = [ember.from_numpy(floats), ember.Tensor._from_array(floats.view(np.int32))]
    with pytest.raises(RuntimeError) as ours:
        saved(ember, mixed)
    t = torch.arange(4.0)
    with pytest.raises(RuntimeError) as theirs:
        saved(torch, [t, t.view(torch.int32)])
    assert str(ours.value) == str(theirs.value)


def test_negative_strides_are_saved_as_a_copy():
    reversed_view = ember.Tensor._from_array(np.arange(5.0)[::-1])
    assert torch_load(saved(ember, reversed_view)).tolist() == [4.0, 3.0, 2.0, 1.0, 0.0]


# ---- safety -----------------------------------------------------------------------------------

class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class Box:
    def __init__(self, value):
        self.value = value


def test_weights_only_refuses_code_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    for lib in (torch, ember):
        raw = saved(lib, {"weights": lib.ones(2), "payload": RunsACommand(marker)})
        with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL posix\.system"):
            ember_load(raw)
        with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL posix\.system"):
            ember_load(raw, weights_only=None)
    assert not marker.exists()
    evil = saved(ember, {"x": Box(1)})
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL "
                                                     f"{__name__}.Box"):
        ember_load(evil)
    assert ember_load(evil, weights_only=False)["x"].value == 1  # the unsafe, explicit path
    with ember.serialization.safe_globals([Box]):
        assert ember_load(evil)["x"].value == 1
    with pytest.raises(pickle.UnpicklingError):
        ember_load(evil)
    ember.serialization.add_safe_globals([(Box, f"{__name__}.Box")])
    assert ember.serialization.get_safe_globals() == [Box]
    assert ember_load(evil)["x"].value == 1
    ember.serialization.clear_safe_globals()
    assert ember.serialization.get_safe_globals() == []


def test_handmade_pickle_with_builtins_is_refused():
    payload = b"\x80\x02cbuiltins\neval\nX\x0b\x00\x00\x00print('hi')\x85R."
    raw = rewrite(saved(torch, {}), lambda name, data: payload if name.endswith(".pkl") else data)
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL builtins\.eval"):
        ember_load(raw)


# ---- bad files --------------------------------------------------------------------------------

def test_truncated_and_corrupted_files_raise_clear_errors():
    raw = saved(ember, {"x": ember.arange(100.0)})
    for cut in (len(raw) // 3, len(raw) - 5, 10):
        with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading zip archive"):
            ember_load(raw[:cut])
    for cut in range(4, len(raw), 3):  # a cut anywhere gives one of the clear errors
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            ember_load(raw[:cut])
    rng = np.random.default_rng(0)
    for position in rng.integers(0, len(raw), 300):  # so does a flipped bit, or no error
        flipped = bytearray(raw)
        flipped[position] ^= 1 << int(rng.integers(8))
        try:
            ember_load(bytes(flipped))
        except (RuntimeError, pickle.UnpicklingError):
            pass
    with pytest.raises(EOFError):
        ember_load(b"")
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo("archive/data/0")
    flipped = bytearray(raw)
    flipped[info.header_offset + 30 + len(info.filename) + len(info.extra) + 7] ^= 0xFF
    with pytest.raises(RuntimeError, match="data/0: CRC-32 mismatch"):
        ember_load(bytes(flipped))
    with pytest.raises(pickle.UnpicklingError, match="invalid load key, 'g'"):
        ember_load(b"garbage")


def test_legacy_format_is_named():
    legacy = saved(torch, {"x": torch.ones(2)}, _use_new_zipfile_serialization=False)
    with pytest.raises(NotImplementedError, match="legacy format"):
        ember_load(legacy)
    with pytest.raises(NotImplementedError, match="legacy"):
        saved(ember, {}, _use_new_zipfile_serialization=False)


def test_out_of_bounds_storage_view_is_refused_like_torch():
    raw = rewrite(saved(torch, torch.arange(4.0)),
                  lambda name, data: data.replace(b"K\x04\x85", b"K\t\x85", 1)
                  if name.endswith(".pkl") else data)
    with pytest.raises(RuntimeError) as ours:
        ember_load(raw)
    with pytest.raises(RuntimeError) as theirs:
        torch_load(raw)
    assert str(ours.value) == str(theirs.value)


def test_missing_dtype_is_named():
    with pytest.raises(NotImplementedError, match="BFloat16Storage"):
        ember_load(saved(torch, torch.ones(2, dtype=torch.bfloat16)))
    with pytest.raises(NotImplementedError, match="torch.uint16"):
        ember_load(saved(torch, torch.ones(2, dtype=torch.uint16)))


def test_compressed_records_are_read():
    raw = rewrite(saved(ember, {"x": ember.arange(50.0)}), lambda name, data: data,
                  zipfile.ZIP_DEFLATED)
    assert ember_load(raw)["x"].tolist() == torch_load(raw)["x"].tolist()


def test_big_endian_files_are_swapped():
    values = np.arange(6, dtype=np.float64) * 1.5

    def to_big(name, data):
        if name.endswith("byteorder"):
            return b"big"
        if "/data/" in name:
            return np.frombuffer(data, "<f8").astype(">f8").tobytes()
        return data
    raw = rewrite(saved(ember, ember.from_numpy(values)), to_big)
    assert ember_load(raw).tolist() == torch_load(raw).tolist() == values.tolist()


# ---- files, locations, atomic saves -----------------------------------------------------------

def test_paths_file_objects_and_mmap(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"w": ember.arange(5.0)}, path)
    assert zipfile.ZipFile(path).namelist()[0] == "model/data.pkl"
    assert torch.load(path)["w"].tolist() == ember.load(str(path))["w"].tolist()
    mapped = ember.load(path, mmap=True)["w"]
    mapped.numpy()[0] = 42.0  # copy-on-write: the file keeps its values
    assert ember.load(path)["w"][0].item() == 0.0
    with open(path, "rb") as file:
        assert ember.load(file)["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]

    class Stream:  # read-only and not seekable, like a pipe
        def __init__(self, data):
            self.read = io.BytesIO(data).read
    assert ember.load(Stream(path.read_bytes()))["w"].shape == (5,)
    with pytest.raises(ValueError, match="mmap"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)

    class Sink:  # write-only and not seekable
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))
    sink = Sink()
    ember.save({"w": ember.ones(2)}, sink)
    assert torch_load(b"".join(sink.chunks))["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError) as ours:
        ember.save({}, tmp_path / "missing" / "x.pt")
    with pytest.raises(RuntimeError) as theirs:
        torch.save({}, tmp_path / "missing" / "x.pt")
    assert str(ours.value) == str(theirs.value)


def test_map_location():
    cpu = saved(torch, {"x": torch.ones(2)})
    for location in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage,
                     lambda storage, loc: None):
        assert ember_load(cpu, map_location=location)["x"].tolist() == [1.0, 1.0]
    on_cuda = rewrite(cpu, lambda name, data: data.replace(b"X\x03\x00\x00\x00cpu",
                                                           b"X\x06\x00\x00\x00cuda:0"))
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        ember_load(on_cuda)
    for location in ("cpu", {"cuda:0": "cpu"}):
        assert ember_load(on_cuda, map_location=location)["x"].tolist() == \
            torch_load(on_cuda, map_location=location)["x"].tolist()


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"step": 1, "w": ember.ones(3)}, path)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        ember.save({"step": 2, "fn": lambda: None}, path)  # fails before writing
    written = []

    def interrupted(archive, name, data, *args, **kwargs):
        if written:
            raise KeyboardInterrupt  # e.g. Ctrl-C half-way through the records
        written.append(name)
        original(archive, name, data, *args, **kwargs)
    original = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"step": 3, "w": ember.zeros(3)}, path)
    monkeypatch.undo()
    assert written and os.listdir(tmp_path) == ["ckpt.pt"]
    assert ember.load(path)["step"] == 1
    os.chmod(path, 0o640)
    ember.save({"step": 4}, path)
    assert ember.load(path)["step"] == 4 and os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["ckpt.pt"]


# ---- safetensors (optional extra) -------------------------------------------------------------

def test_safetensors_round_trip_with_torch(tmp_path):
    import safetensors  # noqa: F401  (a test dependency: fail, never skip, if missing)
    from safetensors import torch as safetensors_torch

    from ember.utils import safetensors as ember_safetensors
    x = ember.arange(6.0).reshape(2, 3)
    ember_safetensors.save_file({"x": x, "i": ember.tensor([1, 2])}, tmp_path / "a.safetensors",
                                metadata={"format": "pt"})
    theirs = safetensors_torch.load_file(tmp_path / "a.safetensors")
    assert theirs["x"].tolist() == x.tolist() and theirs["i"].dtype == torch.int64
    safetensors_torch.save_file({"h": torch.ones(2, dtype=torch.float16)},
                                tmp_path / "b.safetensors")
    ours = ember_safetensors.load_file(tmp_path / "b.safetensors")
    assert ours["h"].dtype == ember.float16
    ours["h"].numpy()[0] = 3.0  # writable
    assert ember_safetensors.load(ember_safetensors.save({"x": x}))["x"].tolist() == x.tolist()
    with pytest.raises(RuntimeError, match="share memory"):
        ember_safetensors.save({"a": x, "b": x[0]})
    with pytest.raises(ValueError, match="non contiguous"):
        ember_safetensors.save({"a": x.t()})
