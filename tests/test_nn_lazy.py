"""Lazy modules against PyTorch: repr before and after the first forward, the inferred
sizes, weights equal to PyTorch's after the same seed, ``cls_to_become``, state_dict."""

import copy

import numpy as np
import pytest
import torch

import ember
from nn_oracle import check_module
from oracle import assert_same_tensor, check_error

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


CASES = [
    (lambda lib: lib.nn.LazyLinear(3), _x(2, 4, 5)),
    (lambda lib: lib.nn.LazyLinear(2, bias=False, dtype=lib.float64),
     _x(3, 4).astype(np.float64)),
    (lambda lib: lib.nn.LazyConv1d(4, 3, padding=1), _x(2, 3, 7)),
    (lambda lib: lib.nn.LazyConv1d(4, 3), _x(3, 7)),
    (lambda lib: lib.nn.LazyConv2d(4, 3, stride=2, groups=2, bias=False), _x(2, 4, 6, 6)),
    (lambda lib: lib.nn.LazyConv3d(2, 2, padding_mode="reflect", padding=1), _x(1, 2, 4, 4, 4)),
    (lambda lib: lib.nn.LazyConvTranspose1d(3, 3, stride=2), _x(2, 2, 5)),
    (lambda lib: lib.nn.LazyConvTranspose2d(4, 3, groups=2, output_padding=1, stride=2),
     _x(2, 2, 4, 4)),
    (lambda lib: lib.nn.LazyConvTranspose3d(2, 2), _x(1, 3, 3, 3, 3)),
    (lambda lib: lib.nn.LazyBatchNorm1d(), _x(4, 3)),
    (lambda lib: lib.nn.LazyBatchNorm2d(momentum=None), _x(4, 3, 2, 2)),
    (lambda lib: lib.nn.LazyBatchNorm3d(affine=False), _x(2, 3, 2, 2, 2)),
    (lambda lib: lib.nn.LazyInstanceNorm1d(), _x(2, 3, 5)),
    (lambda lib: lib.nn.LazyInstanceNorm2d(affine=True, track_running_stats=True),
     _x(2, 3, 4, 4)),
    (lambda lib: lib.nn.LazyInstanceNorm3d(affine=True), _x(3, 2, 2, 2, 2)),
]


@pytest.mark.parametrize("make,x", CASES)
def test_first_forward_initialises_like_torch(make, x):
    modules, outputs = [], []
    for lib in (torch, ember):
        lib.manual_seed(3)
        module = make(lib)
        before = (repr(module), list(module.state_dict()),
                  [repr(p) for p in module.parameters()], module.has_uninitialized_params())
        outputs.append(module(lib.from_numpy(x.copy())))
        modules.append((module, before))
    (t_mod, t_before), (e_mod, e_before) = modules
    assert e_before == t_before
    assert type(e_mod).__name__ == type(t_mod).__name__
    assert repr(e_mod) == repr(t_mod)
    assert_same_tensor(outputs[1], outputs[0], atol=1e-5)
    t_state, e_state = t_mod.state_dict(), e_mod.state_dict()
    assert list(e_state) == list(t_state)
    for key in t_state:
        assert_same_tensor(e_state[key], t_state[key], what=key)


def _initialised(make, x):
    def build(lib):
        module = make(lib)
        module(lib.from_numpy(x.copy()))
        return module
    return build


@pytest.mark.parametrize("make,x", CASES[:9:2] + CASES[9::3])
def test_after_initialisation_trains_like_torch(make, x):
    check_module(_initialised(make, x), x, train=True)


def test_lazy_linear_is_its_target_class_and_copies():
    module = ember.nn.LazyLinear(4)
    clone = copy.deepcopy(module)
    assert repr(clone.weight) == "<UninitializedParameter>"
    module(ember.ones(2, 3))
    assert type(module) is ember.nn.Linear and module.in_features == 3
    assert isinstance(module.weight, ember.nn.Parameter)
    assert not isinstance(module.weight, ember.nn.UninitializedParameter)
    assert not module._forward_pre_hooks
    clone(ember.ones(1, 6))
    assert clone.weight.shape == (4, 6)


def test_load_state_dict_materialises():
    src_t, src_e = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    src_e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                           for k, v in src_t.state_dict().items()})
    lazy_t, lazy_e = torch.nn.LazyLinear(2), ember.nn.LazyLinear(2)
    lazy_t.load_state_dict(src_t.state_dict())
    lazy_e.load_state_dict(src_e.state_dict())
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    assert_same_tensor(lazy_e(ember.from_numpy(x)), lazy_t(torch.from_numpy(x)))
    assert repr(lazy_e) == repr(lazy_t)


def test_uninitialized_placeholders():
    for lib in (ember, torch):
        p = lib.nn.UninitializedParameter(dtype=lib.float64)
        b = lib.nn.UninitializedBuffer()
        assert (repr(p), repr(b)) == ("<UninitializedParameter>", "<UninitializedBuffer>")
        assert p.requires_grad and not b.requires_grad and p.dtype == lib.float64
        p.materialize((2, 3))
        b.materialize((4,), dtype=lib.float64)
        assert type(p) is lib.nn.Parameter and p.shape == (2, 3)
        assert type(b) is lib.Tensor and b.dtype == lib.float64


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.UninitializedParameter().shape,
    lambda lib: lib.nn.LazyConv2d(4, 3)(lib.ones(2, 3)),
    lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5)),
    lambda lib: lib.nn.LazyBatchNorm2d()(lib.ones(2, 3)),
    lambda lib: lib.nn.LazyInstanceNorm1d()(lib.ones(2, 3, 4, 5)),
])
def test_errors(fn):
    check_error(fn)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.LazyBatchNorm1d(),
                                  lambda lib: lib.nn.LazyConv1d(2, 1)])
def test_dtype_conversion_before_initialisation(make):
    x = RNG.standard_normal((3, 2, 4))
    check_module(_initialised(lambda lib: make(lib).double(), x), x)
