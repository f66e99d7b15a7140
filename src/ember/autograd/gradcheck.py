"""``gradcheck`` and ``gradgradcheck``: derivatives checked against finite differences.

As PyTorch's (``torch/autograd/gradcheck.py``): for every input that requires grad and
every differentiable output, the Jacobian is computed twice,
- numerically, by central differences ``(f(x + eps) - f(x - eps)) / 2 eps``, perturbing one
  element of the input's array in place at a time (in the input's dtype: inputs should be
  float64, and a warning says so otherwise);
- analytically, one row per output element, by ``autograd.grad`` with a one-hot
  ``grad_output``;
and the two must satisfy ``|analytical - numerical| <= atol + rtol * |numerical|``.
A mismatch raises ``GradcheckError`` (a ``RuntimeError``) naming the output and input and
printing both Jacobians, or returns False with ``raise_exception=False``. The analytical
Jacobian is computed a second time to catch a backward that is not reentrant, and a zero
``grad_output`` must give zero gradients ("backward not multiplied by grad_output").

``fast_mode=True`` compares one random projection ``v^T J u`` instead of the whole
Jacobian (PyTorch's fast mode for real functions). ember has no forward-mode AD and no
vmap, so ``check_forward_ad``, ``check_batched_grad`` and ``check_batched_forward_grad``
raise NotImplementedError; ember has no undefined gradients (a missing output gradient is
zeros), so ``check_undefined_grad`` is the zero-``grad_output`` check. Complex inputs and
outputs are not supported yet (NotImplementedError).
"""

import warnings
from itertools import product

import numpy as np

from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` and ``gradgradcheck`` when a check fails."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _diff_inputs(inputs):
    return [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]


def _check_inputs(inputs):
    any_requires_grad = False
    for idx, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        if x._data.dtype.kind == "c":
            raise NotImplementedError("ember's gradcheck does not support complex inputs yet")
        if x._data.dtype != np.float64:
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", stacklevel=3)
        # An empty input has nothing to overlap (NumPy may give it zero strides).
        if x._data.size and not all(st > 0 or sz <= 1
                                    for st, sz in zip(x._data.strides, x._data.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck.")
        any_requires_grad = True
    if not any_requires_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _output_arrays(fn, inputs):
    """The outputs of ``fn`` as flat float64 arrays."""
    outputs = _as_tuple(fn(*inputs))
    return [np.array(o._data, dtype=np.float64).reshape(-1) for o in outputs
            if isinstance(o, Tensor)]


def _numerical_jacobians(fn, inputs, eps):
    """``jac[j][i]``: d(output i)/d(input j) as an (input numel, output numel) array."""
    jacobians = []
    for x in _diff_inputs(inputs):
        data = x._data
        columns = []
        for index in product(*[range(n) for n in data.shape]):
            original = data[index].copy()
            data[index] = original - eps
            low = _output_arrays(fn, inputs)
            data[index] = original + eps
            high = _output_arrays(fn, inputs)
            data[index] = original
            columns.append([(h - lo) / (2 * eps) for lo, h in zip(low, high)])
        jacobians.append(_rows_by_output(columns, fn, inputs, data.size))
    return jacobians


def _rows_by_output(columns, fn, inputs, numel):
    if columns:
        return [np.stack([c[i] for c in columns]) for i in range(len(columns[0]))]
    # A size-0 input: empty Jacobians, one per output.
    return [np.zeros((0, o.size)) for o in _output_arrays(fn, inputs)]


def _analytical_jacobian(inputs, output):
    """The rows ``v^T J`` for one-hot ``v``: ``jac[j]`` is (input j numel, output numel).

    Also says whether every gradient had its input's dtype and size.
    """
    from . import grad
    diff = _diff_inputs(inputs)
    n_out = output._data.size
    jacobians = [np.zeros((x._data.size, n_out)) for x in diff]
    types_ok = sizes_ok = True
    for k in range(n_out):
        one_hot = np.zeros(n_out, dtype=output._data.dtype)
        one_hot[k] = 1
        grad_output = Tensor._from_array(one_hot.reshape(output._data.shape))
        grads = grad(output, diff, grad_output, retain_graph=True, allow_unused=True)
        for j, (g, x) in enumerate(zip(grads, diff)):
            if g is None:
                continue
            if g._data.dtype != x._data.dtype:
                types_ok = False
            if g._data.size != x._data.size:
                sizes_ok = False
                continue
            jacobians[j][:, k] = g._data.reshape(-1)
    return jacobians, types_ok, sizes_ok


def _fmt(array, shape):
    return repr(Tensor._from_array(np.asarray(array, dtype=np.float64).reshape(shape)))


def _mismatch(analytical, numerical, output_idx, input_idx):
    return GradcheckError(
        f"Jacobian mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
        f"numerical:{_fmt(numerical, numerical.shape)}\n"
        f"analytical:{_fmt(analytical, analytical.shape)}\n")


def _allclose(a, b, rtol, atol):
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _check_analytical(inputs, output, nondet_tol, check_grad_dtypes):
    jacobians, types_ok, sizes_ok = _analytical_jacobian(inputs, output)
    again, _, _ = _analytical_jacobian(inputs, output)
    reentrant = all(np.all(np.abs(a - b) <= nondet_tol) for a, b in zip(jacobians, again))
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with same input and "
            "grad_output multiple times gives different values, although analytical "
            "gradient matches numerical gradient."
            f"The tolerance for nondeterminism was {nondet_tol}.")
    return jacobians


def _slow_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol):
    numerical = _numerical_jacobians(func, inputs, eps)
    if not outputs:
        for per_input in numerical:
            if any(np.any(j != 0) for j in per_input):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    differentiable = [i for i, o in enumerate(_as_tuple(func_out))
                      if isinstance(o, Tensor) and o.requires_grad]
    for i, o in enumerate(outputs):
        analytical = _check_analytical(inputs, o, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][differentiable[i]]
            if not _allclose(a, n, rtol, atol):
                raise _mismatch(a, n, i, j)


def _fast_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol):
    """Compare ``v^T (J u)`` by finite differences along ``u`` with ``(v^T J) u`` by backward."""
    from . import grad
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    us = [rng.uniform(-1, 1, x._data.shape) for x in diff]
    all_outputs = [o for o in _as_tuple(func_out) if isinstance(o, Tensor)]
    vs = [rng.uniform(-1, 1, o._data.size) for o in all_outputs]
    # Numerical: one directional derivative per input along its u.
    numerical = []
    for x, u in zip(diff, us):
        u = u / max(np.sqrt(np.sum(u * u)), 1e-300)
        original = x._data.copy()
        x._data[...] = original - eps * u
        low = _output_arrays(func, inputs)
        x._data[...] = original + eps * u
        high = _output_arrays(func, inputs)
        x._data[...] = original
        numerical.append([(h - lo) / (2 * eps) for lo, h in zip(low, high)])
    if not outputs:
        if any(np.any(jvp != 0) for per_input in numerical for jvp in per_input):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    differentiable = [i for i, o in enumerate(all_outputs) if o.requires_grad]
    for i, o in enumerate(outputs):
        v = vs[differentiable[i]]
        grad_output = Tensor._from_array(v.astype(o._data.dtype).reshape(o._data.shape))
        grads = grad(o, diff, grad_output, retain_graph=True, allow_unused=True)
        for j, (g, u) in enumerate(zip(grads, us)):
            u = u / max(np.sqrt(np.sum(u * u)), 1e-300)
            a = 0.0 if g is None else float(np.sum(g._data.astype(np.float64) * u))
            n = float(np.dot(v, numerical[j][differentiable[i]]))
            if not abs(a - n) <= atol + rtol * abs(n):
                raise GradcheckError(
                    f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
                    f"Fast gradcheck failed: the projection v^T J u is {n!r} numerically and "
                    f"{a!r} analytically (atol={atol}, rtol={rtol}). Rerun with "
                    "fast_mode=False for the whole Jacobians.\n")


def _test_backward_mul_by_grad_output(outputs, inputs):
    from . import grad
    diff = _diff_inputs(inputs)
    zeros = [Tensor._from_array(np.zeros_like(o._data)) for o in outputs]
    grads = grad(outputs, diff, zeros, allow_unused=True)
    for g, x in zip(grads, diff):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g._data.dtype != x._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if g._data.shape != x._data.shape:
            raise GradcheckError("grad is incorrect size")


def _gradcheck_helper(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes,
                      check_backward_ad, fast_mode):
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable_outputs(func_out)
    if any(o._data.dtype.kind == "c" for o in outputs):
        raise NotImplementedError("ember's gradcheck does not support complex outputs yet")
    check = _fast_gradcheck if fast_mode else _slow_gradcheck
    check(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol)
    if not check_backward_ad:
        return True
    if outputs:
        _test_backward_mul_by_grad_output(outputs, inputs)
    return True


def _unsupported(**flags):
    for name, value in flags.items():
        if value:
            raise NotImplementedError(f"ember's gradcheck does not support {name}=True "
                                      "(ember has no forward-mode AD or vmap)")


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Whether ``func``'s analytical gradients match finite differences at ``inputs``."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    _unsupported(check_batched_grad=check_batched_grad, check_forward_ad=check_forward_ad,
                 check_batched_forward_grad=check_batched_forward_grad)
    try:
        return _gradcheck_helper(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes,
                                 check_backward_ad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _random_grad_outputs(outputs, non_contiguous):
    """Uniform values in [-1, 1) shaped like each output, requiring grad (as ``make_tensor``)."""
    from .._creation import rand
    from .._dtype import float64
    grads = []
    for o in outputs:
        dtype = o.dtype if o.is_floating_point() else float64
        shape = tuple(o.shape)
        if non_contiguous and shape:
            # Every other element of a wider buffer: a strided, non-contiguous view.
            wide = rand(*shape[:-1], 2 * shape[-1], dtype=dtype)._data * 2 - 1
            data = wide[..., ::2]
        else:
            data = rand(*shape, dtype=dtype)._data * 2 - 1
        grads.append(Tensor._from_array(np.asarray(data), requires_grad=True))
    return tuple(grads)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """``gradcheck`` of the map (inputs, grad_outputs) -> gradients of ``func``'s outputs."""
    from . import grad
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable_outputs(func(*inputs))
        grad_outputs = _random_grad_outputs(outputs, gen_non_contig_grad_outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(grad_outputs)
    diff_input_indices = {i for i, x in enumerate(inputs)
                          if isinstance(x, Tensor) and x.requires_grad}

    def first_derivative(*args):
        input_args = args[:len(args) - num_outputs]
        outputs = _differentiable_outputs(func(*input_args))
        diff_inputs = tuple(x for i, x in enumerate(input_args) if i in diff_input_indices)
        grads = grad(outputs, diff_inputs, args[len(args) - num_outputs:], create_graph=True,
                     allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)

