"""The oracle: run the same code on ember and on PyTorch and compare everything.

``check_op(fn, *inputs)`` calls ``fn(lib, *tensors)`` with ``lib`` = ember and then torch,
on tensors made from the same NumPy inputs, and compares shape, dtype, values, grad_fn
name, and, after a backward pass with the same upstream gradient, every input's gradient.
``check_error`` compares the exception type and message for bad input.

PyTorch is required here: the import fails loudly rather than skipping, because CI must
never pass without the oracle.
"""

import numpy as np
import torch

import ember

__all__ = ["check_op", "check_error", "to_torch", "to_ember", "assert_same_tensor",
           "random_upstream", "torch"]


def to_torch(value, requires_grad=False):
    if isinstance(value, np.ndarray):
        t = torch.from_numpy(value.copy())
        return t.requires_grad_(requires_grad and t.is_floating_point())
    return value


def to_ember(value, requires_grad=False):
    if isinstance(value, np.ndarray):
        t = ember.from_numpy(value.copy())
        return t.requires_grad_(requires_grad and t.is_floating_point())
    return value


def _tolerances(dtype_name, atol, rtol):
    if atol is not None:
        return atol, rtol if rtol is not None else 1e-5
    if dtype_name in ("float16", "bfloat16"):
        return 1e-2, 1e-2
    if dtype_name in ("float32", "complex64"):
        return 1e-5, 1e-4
    return 1e-10, 1e-8


def assert_same_tensor(e, t, atol=None, rtol=None, what="result"):
    """ember tensor ``e`` equals torch tensor ``t`` in shape, dtype and values."""
    assert isinstance(e, ember.Tensor), f"{what}: expected an ember Tensor, got {type(e)}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert repr(e.dtype) == repr(t.dtype), f"{what}: dtype {e.dtype} != {t.dtype}"
    ev = e.detach().numpy()
    # torch may return a lazily-zero tensor (ZeroTensor) from autograd: materialise it.
    tv = t.detach().numpy(force=True)
    if tv.dtype == np.bool_ or tv.dtype.kind in "iu":
        np.testing.assert_array_equal(ev, tv, err_msg=what)
        return
    a, r = _tolerances(str(t.dtype).replace("torch.", ""), atol, rtol)
    # Complex values are compared whole: a cast to float64 would drop the imaginary part.
    wide = np.complex128 if tv.dtype.kind == "c" else np.float64
    np.testing.assert_allclose(ev.astype(wide), tv.astype(wide), atol=a, rtol=r,
                               equal_nan=True, err_msg=what)


def _outputs(result):
    if isinstance(result, (tuple, list)):
        return list(result)
    return [result]


def random_upstream(pairs, seed):
    """For (ember output, torch output) pairs: the roots and the same random upstream
    gradients for each library, ``(e_roots, t_roots, e_grads, t_grads)``."""
    rng = np.random.default_rng(seed)
    e_roots, t_roots, e_grads, t_grads = [], [], [], []
    for e, t in pairs:
        g = rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
        e_roots.append(e)
        t_roots.append(t)
        e_grads.append(ember.from_numpy(g.copy()))
        t_grads.append(torch.from_numpy(g.copy()))
    return e_roots, t_roots, e_grads, t_grads


def check_op(fn, *inputs, requires_grad=True, atol=None, rtol=None, grad_atol=None,
             check_grad_fn=True, seed=0):
    """Compare ``fn(ember, *xs)`` with ``fn(torch, *xs)`` in value and gradient."""
    e_in = [to_ember(x, requires_grad) for x in inputs]
    t_in = [to_torch(x, requires_grad) for x in inputs]
    e_out = _outputs(fn(ember, *e_in))
    t_out = _outputs(fn(torch, *t_in))
    assert len(e_out) == len(t_out)
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        if not isinstance(t, torch.Tensor):
            assert e == t, f"output {i}: {e!r} != {t!r}"
            continue
        assert_same_tensor(e, t, atol, rtol, what=f"output {i}")
        assert e.requires_grad == t.requires_grad, f"output {i}: requires_grad differs"
        if check_grad_fn:
            t_name = None if t.grad_fn is None else t.grad_fn.name()
            e_name = None if e.grad_fn is None else e.grad_fn.name()
            assert e_name == t_name, f"output {i}: grad_fn {e_name} != {t_name}"

    diff_pairs = [(e, t) for e, t in zip(e_out, t_out)
                  if isinstance(t, torch.Tensor) and t.requires_grad]
    if not diff_pairs:
        return e_out, t_out
    e_roots, t_roots, e_grads, t_grads = random_upstream(diff_pairs, seed)
    e_leaves = [x for x in e_in if isinstance(x, ember.Tensor) and x.requires_grad]
    t_leaves = [x for x in t_in if isinstance(x, torch.Tensor) and x.requires_grad]
    t_g = torch.autograd.grad(t_roots, t_leaves, t_grads, allow_unused=True)
    e_g = ember.autograd.grad(e_roots, e_leaves, e_grads, allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_g, t_g)):
        if tg is None:
            assert eg is None or not np.any(eg.numpy()), f"grad {i}: ember has a gradient"
            continue
        assert eg is not None, f"grad {i}: ember gave None"
        assert_same_tensor(eg, tg, grad_atol or atol, rtol, what=f"grad of input {i}")
    return e_out, t_out


def check_error(fn, *inputs, match_message=True):
    """Both libraries raise the same exception type (and, by default, message)."""
    e_in = [to_ember(x) for x in inputs]
    t_in = [to_torch(x) for x in inputs]
    try:
        fn(torch, *t_in)
    except Exception as te:
        t_exc = te
    else:
        raise AssertionError("torch raised nothing")
    try:
        fn(ember, *e_in)
    except Exception as ee:
        e_exc = ee
    else:
        raise AssertionError(f"ember raised nothing; torch raised {t_exc!r}")
    assert type(e_exc) is type(t_exc) or isinstance(e_exc, type(t_exc)), (
        f"ember raised {type(e_exc).__name__}: {e_exc}; "
        f"torch raised {type(t_exc).__name__}: {t_exc}")
    if match_message:
        t_msg = str(t_exc).split("\n")[0]
        assert str(e_exc).split("\n")[0] == t_msg, f"\nember: {e_exc}\ntorch: {t_exc}"
    return e_exc, t_exc
