"""ember.autograd: ``backward`` and ``grad`` over the recorded graph, and grad modes.

This module checks arguments and builds the seed gradients (PyTorch's ``_make_grads``);
the walk itself is ``engine.run_backward``.
"""

import numpy as np

from .. import _tensor as _tensor_module
from .._tensor import Tensor
from . import functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import run_backward
from .explain import explain
from .function import Function
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable, variable

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "graph", "gradcheck", "gradgradcheck",
           "GradcheckError", "Function", "functional", "detect_anomaly", "set_detect_anomaly",
           "explain", "Variable", "variable"]


def _as_tuple(value):
    from .._tensor import Tensor
    if value is None:
        return None
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _make_grads(outputs, grad_outputs):
    """The gradient to start from for each output: given, or ones for a scalar output."""
    from .._tensor import Tensor
    grads = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in "fc":
                    raise RuntimeError("grad can be implicitly created only for real scalar "
                                       f"outputs but got {out.dtype}")
                grad = Tensor._from_array(np.ones(out._data.shape, dtype=out._data.dtype))
            grads.append(grad)
            continue
        if not isinstance(grad, Tensor):
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(grad).__name__}")
        if grad._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {grad.shape} and "
                f"output[{i}] has a shape of {out.shape}.")
        if grad._data.dtype.kind != out._data.dtype.kind and out._data.dtype.kind in "fc":
            raise RuntimeError(
                f"For complex Tensors, both grad_output and output are required to have the "
                f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {grad.dtype} "
                f"and output[{i}] has a dtype of {out.dtype}.")
        grads.append(grad)
    return grads


def _check_roots(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    if (type(tensors) is Tensor and grad_tensors is None and grad_variables is None
            and inputs is None and not create_graph and tensors._requires_grad
            and tensors._data.size == 1 and tensors._data.dtype.kind == "f"):
        # The common `loss.backward()`: a scalar float root, seeded with one.
        seed = Tensor._from_array(np.array(1, dtype=tensors._data.dtype).reshape(
            tensors._data.shape))
        run_backward((tensors,), (seed,), bool(retain_graph), False)
        return
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"grad_tensors has {len(grad_tensors)} element(s) but tensors has "
                           f"{len(tensors)}")
    inputs = _as_tuple(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _make_grads(tensors, grad_tensors)
    _check_roots(tensors)
    if create_graph:
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


_tensor_module._autograd.backward = backward


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated."""
    from .._tensor import Tensor
    if is_grads_batched:
        raise NotImplementedError("ember does not support is_grads_batched=True yet")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs_tuple = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got "
                           f"{len(grad_outputs)} for {len(outputs)} outputs")
    for t in inputs_tuple:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _make_grads(outputs, grad_outputs)
    _check_roots(outputs)
    results = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_tuple,
                           accumulate=False)
    for i, (r, t) in enumerate(zip(results, inputs_tuple)):
        if r is None:
            if materialize_grads:
                results[i] = Tensor._from_array(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
        elif r._data.shape != t._data.shape:
            results[i] = r.sum_to_size(t._data.shape)
    return tuple(results)
