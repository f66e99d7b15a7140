"""``new_*`` methods, complex views of real tensors, small queries, and the CPU-only answers
of ``ember.cuda`` / ``ember.backends``, against PyTorch."""

import numpy as np
import pytest

import ember
from oracle import assert_same_tensor, check_error, check_op, torch


@pytest.mark.parametrize("make", [
    lambda t: t.new_tensor([1, 2, 3]),
    lambda t: t.new_tensor([[1.5]], dtype=torch.float64 if isinstance(t, torch.Tensor)
                           else ember.float64),
    lambda t: t.new_zeros(2, 3),
    lambda t: t.new_zeros((2,)),
    lambda t: t.new_ones([3]),
    lambda t: t.new_full((2, 2), 7),
    lambda t: t.new_empty(0, 4),
])
@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_new_methods(make, dtype):
    e = make(ember.ones(2, dtype=getattr(ember, dtype)))
    t = make(torch.ones(2, dtype=getattr(torch, dtype)))
    if t.numel():
        assert_same_tensor(e, t)
    assert tuple(e.shape) == tuple(t.shape) and repr(e.dtype) == repr(t.dtype)


def test_new_tensor_requires_grad_and_copies():
    source = ember.ones(3)
    made = source.new_tensor(source, requires_grad=True)
    assert made.requires_grad and made.is_leaf
    made.data[0] = 5
    assert source[0].item() == 1


def test_real_tensor_complex_views():
    for lib in (ember, torch):
        t = lib.ones(2, 3)
        assert t.real is t and t.conj() is t and lib.conj(t) is t
        assert t.resolve_conj() is t and not t.is_conj() and not t.is_neg()
    check_error(lambda lib, x: x.imag, np.ones(3, np.float32))


def test_complex_real_and_imag_are_views():
    values = np.array([1 + 2j, 3 - 1j], np.complex64)
    check_op(lambda lib, x: (x.real, x.imag, x.conj()), values, requires_grad=False)
    z = ember.from_numpy(values.copy())
    z.real[0] = 10
    assert z[0].item() == 10 + 2j


def test_queries():
    for lib in (ember, torch):
        t = lib.ones(2, 3)
        assert (t.nbytes, t.itemsize, t.is_signed(), t.get_device()) == (24, 4, True, -1)
        assert t[1:].storage_offset() == 3 and t[:, 1:].storage_offset() == 1
        assert lib.ones(2, dtype=lib.uint8).is_signed() is False
        assert lib.tensor([2.0]).is_nonzero() and not lib.tensor([0]).is_nonzero()
        assert t.is_same_size(lib.zeros(2, 3)) and not t.is_same_size(lib.zeros(3, 2))
        assert not t.is_inference()
    check_error(lambda lib, x: x.is_nonzero(), np.ones(3))
    check_error(lambda lib, x: x.is_nonzero(), np.ones(0))


def test_cuda_is_absent_as_in_cpu_torch():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    check_error(lambda lib: lib.cuda.current_device())
    check_error(lambda lib, x: x.cuda(), np.ones(2))


def test_backends_settings_are_accepted():
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    assert ember.backends.cudnn.deterministic is True
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available() is False
    ember.backends.cudnn.deterministic = False


def test_compile_returns_the_model_unchanged():
    model = ember.nn.Linear(2, 1)
    assert ember.compile(model) is model
    assert ember.compile(mode="reduce-overhead")(model) is model

    @ember.compile
    def double(x):
        return x * 2
    assert double(ember.ones(2)).tolist() == [2.0, 2.0]


def test_conj_of_complex_is_differentiable():
    values = np.array([1 + 2j, -0.5 - 1j, 3j], dtype=np.complex128)
    result = {}
    for lib in (ember, torch):
        x = lib.tensor(values, requires_grad=True)
        y = x.conj()
        assert y.grad_fn.name() == "ConjBackward0"
        # a real loss of the conjugate: d/dx of sum(Re(conj(x) * w))
        w = lib.tensor(np.array([0.5 - 1j, 2 + 0j, -1 + 3j]))
        (y * w).real.sum().backward()
        result[lib.__name__] = x.grad.detach().resolve_conj().numpy()
    np.testing.assert_allclose(result["ember"], result["torch"], rtol=1e-12)


@pytest.mark.parametrize("part", ["real", "imag"])
def test_real_and_imag_are_differentiable_views(part):
    values = np.array([[1 + 2j, -0.5 - 1j], [3j, 2 + 0j]], dtype=np.complex64)
    grads = {}
    for lib in (ember, torch):
        x = lib.tensor(values, requires_grad=True)
        y = x * 2
        view = getattr(y, part)
        assert view.grad_fn.name() == "SelectBackward0"
        assert view.grad_fn.next_functions[0][0].name() == "ViewAsRealBackward0"
        assert view.dtype == lib.float32 and view._base is y
        (view * lib.tensor([[1.0, -2.0], [0.5, 3.0]])).sum().backward()
        grads[lib.__name__] = x.grad.detach().resolve_conj().numpy()
    np.testing.assert_allclose(grads["ember"], grads["torch"], rtol=1e-6)
