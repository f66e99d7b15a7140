"""gradcheck / gradgradcheck: they pass correct derivatives, catch wrong ones, and fail the
way PyTorch's do (exception type and message)."""

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import GradcheckError, gradcheck, gradgradcheck
from ember.ops._dispatch import Op, record, wrap
from oracle import torch


def _double(shape, seed=0, requires_grad=True):
    data = np.random.default_rng(seed).standard_normal(shape)
    return (ember.tensor(data, requires_grad=requires_grad),
            torch.tensor(data, requires_grad=requires_grad))


def _ember_op(backward, forward=lambda x: x * 1):
    """An op computing ``forward(x)`` whose derivative is ``backward(grad, x)``."""
    cls = type("CustomBackward0", (Op,), {"saves": (0,), "backward": lambda self, grad: (
        backward(grad, self.saved_tensors[0]))})

    def op(x):
        with ember.no_grad():
            out = wrap(forward(x)._data)
        if x.requires_grad and ember.is_grad_enabled():
            record(cls, out, (x,))
        return out
    return op


def _torch_op(backward, forward=lambda x: x * 1):
    class Custom(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx, grad):
            return backward(grad, ctx.saved_tensors[0])
    return Custom.apply


def _both(backward, forward=lambda x: x * 1):
    return _ember_op(backward, forward), _torch_op(backward, forward)


def _same_failure(e_call, t_call):
    with pytest.raises(Exception) as t_info:
        t_call()
    with pytest.raises(Exception) as e_info:
        e_call()
    assert type(t_info.value).__name__ == type(e_info.value).__name__
    assert isinstance(e_info.value, type(t_info.value).__mro__[1])
    assert str(e_info.value) == str(t_info.value)


def test_correct_derivatives_pass():
    x, _ = _double((3, 4))
    w, _ = _double((4, 2), seed=1)
    assert gradcheck(lambda a, b: (a @ b).exp(), (x, w))
    assert gradgradcheck(lambda a, b: (a @ b).exp(), (x, w))
    assert gradcheck(lambda a, b: ((a @ b).tanh(), a.sum()), [x, w])
    assert gradcheck(lambda a: a * 2, x[:, ::2])  # a non-contiguous input
    assert gradcheck(lambda a: a.sum(), _double(())[0])
    assert gradcheck(lambda a, b: a * b, (x, 3.0))  # non-tensor inputs are passed through


def test_fast_mode():
    x, _ = _double((3, 4))
    w, _ = _double((4, 2), seed=1)
    assert gradcheck(lambda a, b: (a @ b).sin(), (x, w), fast_mode=True)
    assert gradgradcheck(lambda a, b: (a @ b).sin(), (x, w), fast_mode=True)
    wrong = _ember_op(lambda grad, x: grad * 2)
    assert not gradcheck(wrong, (x,), fast_mode=True, raise_exception=False)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to"):
        gradcheck(wrong, (x,), fast_mode=True)


def test_wrong_derivative_message_matches_torch():
    e_op, t_op = _both(lambda grad, x: grad * 2)
    ex, tx = _double((3,))
    _same_failure(lambda: gradcheck(e_op, (ex,)), lambda: torch.autograd.gradcheck(t_op, (tx,)))
    assert gradcheck(e_op, (ex,), raise_exception=False) is False
    assert issubclass(GradcheckError, RuntimeError)


def test_second_input_index_in_message():
    e_op, t_op = _both(lambda grad, x: grad * 2)
    ex, tx = _double((2,))
    ey, ty = _double((2,), seed=1)
    _same_failure(lambda: gradcheck(lambda a, b: a * 1.5 + e_op(b), (ex, ey)),
                  lambda: torch.autograd.gradcheck(lambda a, b: a * 1.5 + t_op(b), (tx, ty)))


def test_wrong_second_derivative_caught_by_gradgradcheck():
    # d(x^2)/dx = 2x, computed from a detached x: right once, wrong twice.
    e_op, t_op = _both(lambda grad, x: grad * 2 * x.detach(), forward=lambda x: x * x)
    ex, tx = _double((3,))
    assert gradcheck(e_op, (ex,)) and torch.autograd.gradcheck(t_op, (tx,))
    assert gradgradcheck(lambda x: x * x, (ex,))
    assert not gradgradcheck(e_op, (ex,), raise_exception=False)
    assert not torch.autograd.gradgradcheck(t_op, (tx,), raise_exception=False)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to"):
        gradgradcheck(e_op, (ex,))


def test_backward_not_multiplied_by_grad_output():
    def backward(grad, x):
        return grad + (grad == 0).all().to(grad.dtype)
    e_op, t_op = _both(backward)
    ex, tx = _double((3,))
    _same_failure(lambda: gradcheck(e_op, (ex,)), lambda: torch.autograd.gradcheck(t_op, (tx,)))


def test_no_differentiable_outputs():
    ex, tx = _double((3,))
    assert gradcheck(lambda x: x.detach() * 0, (ex,))
    assert torch.autograd.gradcheck(lambda x: x.detach() * 0, (tx,))
    _same_failure(lambda: gradcheck(lambda x: (x * 2).detach(), (ex,)),
                  lambda: torch.autograd.gradcheck(lambda x: (x * 2).detach(), (tx,)))


def test_bad_inputs():
    ex, tx = _double((3,), requires_grad=False)
    _same_failure(lambda: gradcheck(lambda x: x * 2, (ex,)),
                  lambda: torch.autograd.gradcheck(lambda x: x * 2, (tx,)))
    e_wide = ex.expand(2, 3).requires_grad_()
    t_wide = tx.expand(2, 3).requires_grad_()
    _same_failure(lambda: gradcheck(lambda x: x * 2, (e_wide,)),
                  lambda: torch.autograd.gradcheck(lambda x: x * 2, (t_wide,)))
    with pytest.raises(NotImplementedError, match="check_forward_ad"):
        gradcheck(lambda x: x * 2, (ex.requires_grad_(),), check_forward_ad=True)
    with pytest.raises(AssertionError):
        gradcheck(lambda x: x, (ex,), check_backward_ad=False)


def test_float32_input_warns_like_torch():
    messages = []
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert lib.autograd.gradcheck(lambda x: x * 2, (x,), atol=0.1, rtol=0.1)
        messages.append([str(w.message) for w in caught if "double precision" in str(w.message)])
    assert messages[0] == messages[1] and messages[0]


def test_gradgradcheck_with_given_and_non_contiguous_grad_outputs():
    ex, _ = _double((2, 3))
    grad_output = ember.tensor(np.ones((2, 3)), requires_grad=True)
    assert gradgradcheck(lambda x: x.exp(), (ex,), (grad_output,))
    assert gradgradcheck(lambda x: x.exp(), (ex,), gen_non_contig_grad_outputs=True)


def test_module_and_function_names():
    import sys
    assert ember.autograd.gradcheck is gradcheck
    module = sys.modules["ember.autograd.gradcheck"]
    assert module.gradcheck is gradcheck and module.gradgradcheck is gradgradcheck
    assert module.GradcheckError is GradcheckError


def test_empty_inputs_are_checked():
    x = ember.zeros(0, 3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: t * t, (x,))
    assert gradgradcheck(lambda t: t * t, (x,))
