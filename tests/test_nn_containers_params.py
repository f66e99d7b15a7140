"""``nn.ParameterList`` and ``nn.ParameterDict`` against PyTorch: registration, indexing,
conversion of plain tensors, repr, state_dict keys, errors."""

import collections

import numpy as np
import pytest
import torch

import ember
from nn_oracle import check_module
from oracle import assert_same_tensor, check_error

LIBS = (ember, torch)


def _tensors(lib, *shapes):
    lib.manual_seed(0)
    return [lib.randn(*s) for s in shapes]


def _list(lib):
    a, b, c = _tensors(lib, (2, 3), (4,), (1, 2))
    plist = lib.nn.ParameterList([lib.nn.Parameter(a), b])
    plist.append(c)
    plist.extend(["text", 3])
    plist += [lib.zeros(2, dtype=lib.float64)]
    return plist


def _pairs(module):
    return [(k, tuple(v.shape), type(v).__name__) for k, v in module.named_parameters()]


def test_parameter_list_registration_repr_state_dict():
    e, t = _list(ember), _list(torch)
    assert len(e) == len(t) == 6
    assert _pairs(e) == _pairs(t)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e[1:4]) == repr(t[1:4])
    assert repr(e[::-2]) == repr(t[::-2])
    assert [type(x).__name__ for x in e] == [type(x).__name__ for x in t]
    assert e[3] == t[3] == "text"
    assert_same_tensor(e[-1], t[-1])
    assert isinstance(e[1], ember.nn.Parameter)
    assert repr(ember.nn.ParameterList()) == repr(torch.nn.ParameterList())
    assert [k for k in dir(e) if k.isdigit()] == []


def test_parameter_list_setitem_and_module_use():
    for lib in LIBS:
        plist = _list(lib)
        plist[0] = lib.ones(5)
        assert isinstance(plist[0], lib.nn.Parameter)
    e, t = _list(ember), _list(torch)
    e[-2] = ember.ones(3)
    t[-2] = torch.ones(3)
    assert _pairs(e) == _pairs(t) and repr(e) == repr(t)


def test_parameter_list_in_a_model_trains_like_torch():
    def make(lib):
        class Model(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weights = lib.nn.ParameterList([lib.nn.Parameter(lib.randn(3, 3))
                                                     for _ in range(3)])

            def forward(self, x):
                for w in self.weights:
                    x = (x @ w).tanh()
                return x
        return Model()

    check_module(make, np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.ParameterList([lib.ones(2)])[1],
    lambda lib: lib.nn.ParameterList([lib.ones(2)])[-2],
    lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
    lambda lib: lib.nn.ParameterList(5),
    lambda lib: lib.nn.ParameterList([lib.ones(2)])(1),
    lambda lib: lib.nn.ParameterList([lib.ones(2, dtype=lib.int64)]),
    lambda lib: lib.nn.ParameterList([lib.ones(2)])["0"],
])
def test_parameter_list_errors(fn):
    check_error(fn)


def _dict(lib):
    a, b, c = _tensors(lib, (2, 3), (4,), (1,))
    pdict = lib.nn.ParameterDict({"b": lib.nn.Parameter(a), "a": b})
    pdict["z"] = c
    pdict.update([("y", lib.zeros(2, dtype=lib.float64)), ("obj", "text")])
    pdict.update(collections.OrderedDict([("m", lib.ones(1)), ("c", lib.ones(2, 2))]))
    return pdict


def test_parameter_dict_behaves_like_torch():
    e, t = _dict(ember), _dict(torch)
    assert list(e) == list(t) and list(e.keys()) == list(t.keys())
    assert _pairs(e) == _pairs(t)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert list(reversed(e)) == list(reversed(t))
    assert ("z" in e) and ("q" not in e) and e.get("q", 7) == 7 and e["obj"] == "text"
    assert [k for k, _ in e.items()] == [k for k, _ in t.items()]
    assert len(list(e.values())) == len(t)
    assert e.popitem()[0] == t.popitem()[0]
    assert_same_tensor(e.pop("a"), t.pop("a"))
    assert repr(e) == repr(t)
    assert repr(e.copy()) == repr(t.copy())
    assert repr(e | _dict(ember)) == repr(t | _dict(torch))
    e |= ember.nn.ParameterDict({"new": ember.ones(3)})
    t |= torch.nn.ParameterDict({"new": torch.ones(3)})
    assert repr(e) == repr(t)
    assert repr(e.fromkeys(["p", "q"])) == repr(t.fromkeys(["p", "q"]))
    assert e.setdefault("s", None) is None and t.setdefault("s", None) is None
    del e["b"]
    del t["b"]
    assert _pairs(e) == _pairs(t)
    e.clear()
    t.clear()
    assert len(e) == len(t) == 0 and repr(e) == repr(t)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.ParameterDict(5),
    lambda lib: lib.nn.ParameterDict([1]),
    lambda lib: lib.nn.ParameterDict([("a", lib.ones(1), 3)]),
    lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)})[0],
    lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)})["b"],
    lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)})(1),
    lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)}).pop("x"),
])
def test_parameter_dict_errors(fn):
    check_error(fn)
