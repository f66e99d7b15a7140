"""Convolutions: ``convolution`` (PyTorch's one kernel behind every conv layer), ``conv1d``,
``conv2d``, ``conv3d`` and ``conv_transpose1d/2d/3d``.

Three NumPy kernels, each one GEMM over a strided window view of the (zero-padded) input:

- ``conv_forward(x, w)``: ``out[n, o, l] = sum_{c, k} w[o, c, k] * x_pad[n, c, l*s + k*d]``.
  The windows ``(N, C, *out, *kernel)`` are an ``as_strided`` view; their im2col copy is
  the only copy, then one (batched over groups) matmul with the weight.
- ``conv_transpose_forward(y, w)``: the adjoint of ``conv_forward`` in ``x``: one GEMM
  ``w^T @ y`` gives every kernel offset's contribution, scattered into the output with one
  strided add per kernel offset (col2im).
- ``conv_weight(x, g)``: the adjoint in ``w``: a GEMM of ``g`` with the windows of ``x``.

``ConvolutionBackward0`` uses the adjoints (grad_input = transposed conv of grad with the
weight, grad_weight = windows of the input against grad). Under ``create_graph`` its
backward is itself recorded, as PyTorch's ``ConvolutionBackwardBackward0``, whose
derivative is written with ``convolution`` calls (the three kernels are bilinear and close
under differentiation), so gradients of any order work.

Unbatched input is unsqueezed, convolved and squeezed, as PyTorch does (the result's
grad_fn is ``SqueezeBackward1``). ``padding='same'`` with an even total padding is the
symmetric padding; otherwise the extra right padding is a ``constant_pad_nd`` first.
"""

import math
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ._dispatch import Op, _state, record, record_multi, wrap
from .shape import squeeze, unsqueeze

__all__ = ["convolution", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d"]
FUNCTION_ONLY = list(__all__)

_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}
_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}
_same_warned = []
_KEEP_COLS_BYTES = 32 * 2 ** 20


# -- NumPy kernels --------------------------------------------------------------------------
def _zero_pad(x, padding):
    """``x`` with ``padding`` zeros on both sides of each spatial dim (no copy if none)."""
    if not any(padding):
        return x
    out = np.zeros(x.shape[:2] + tuple(n + 2 * p for n, p in zip(x.shape[2:], padding)),
                   dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(p, p + n) for n, p in zip(x.shape[2:], padding))] = x
    return out


def _windows(padded, out_size, kernel, stride, dilation):
    """The ``(N, C, *out_size, *kernel)`` view of every window of ``padded``."""
    spatial = padded.strides[2:]
    strides = (padded.strides[:2] + tuple(b * s for b, s in zip(spatial, stride))
               + tuple(b * d for b, d in zip(spatial, dilation)))
    return as_strided(padded, padded.shape[:2] + tuple(out_size) + tuple(kernel), strides,
                      writeable=False)


def _im2col(x, kernel, stride, padding, dilation, groups, out_size=None):
    """The windows of ``x`` copied as ``(groups, C/groups * K, N * L_out)``, and ``L_out``."""
    n, c, nd = x.shape[0], x.shape[1], x.ndim - 2
    xp = _zero_pad(x, padding)
    if out_size is None:
        out_size = tuple((xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
                         for i in range(nd))
    win = _windows(xp, out_size, kernel, stride, dilation)
    win = win.reshape((n, groups, c // groups) + win.shape[2:])
    # Kernel offsets before positions: each copied row is a run of contiguous positions.
    cols = win.transpose((1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + (0,)
                         + tuple(range(3, 3 + nd)))
    cols = cols.reshape(groups, (c // groups) * math.prod(kernel), n * math.prod(out_size))
    return cols, out_size


def conv_forward(x, w, stride, padding, dilation, groups):
    """``(N, C, *L)`` convolved with ``(O, C/groups, *K)``: ``(N, O, *L_out)``, contiguous,
    and the im2col matrix (reused by the weight gradient)."""
    o, n = w.shape[0], x.shape[0]
    cols, out_size = _im2col(x, w.shape[2:], stride, padding, dilation, groups)
    out = np.matmul(w.reshape(groups, o // groups, cols.shape[1]), cols)
    out = out.reshape((o, n) + out_size).swapaxes(0, 1)
    return np.ascontiguousarray(out), cols


def conv_transpose_forward(y, w, stride, padding, dilation, groups, out_size):
    """The adjoint of ``conv_forward`` in ``x``: ``(N, O, *L_out)`` -> ``(N, C, *out_size)``."""
    n = y.shape[0]
    o, cg, kernel = w.shape[0], w.shape[1], w.shape[2:]
    c, y_size = groups * cg, y.shape[2:]
    padded = tuple(s + 2 * p for s, p in zip(out_size, padding))
    ck = cg * math.prod(kernel)
    w_t = w.reshape(groups, o // groups, ck).transpose(0, 2, 1)
    if all(s == 1 for s in stride):
        # y sits in a zero grid of the padded output's shape, flattened over (N, *space):
        # every kernel offset is then one flat shift, one add of contiguous rows.
        grid = np.zeros((o, n) + padded, dtype=y.dtype)
        grid[(slice(None), slice(None)) + tuple(slice(0, m) for m in y_size)] = y.swapaxes(0, 1)
        cols = np.matmul(w_t, grid.reshape(groups, o // groups, n * math.prod(padded)))
        cols = cols.reshape(c, math.prod(kernel), n * math.prod(padded))
        steps = np.cumprod((1,) + padded[:0:-1])[::-1]
        out = np.zeros((c, cols.shape[2]), dtype=cols.dtype)
        for k, offset in enumerate(np.ndindex(*kernel)):
            shift = int(sum(i * d * s for i, d, s in zip(offset, dilation, steps)))
            out[:, shift:] += cols[:, k, :cols.shape[2] - shift]
        out = out.reshape((c, n) + padded).swapaxes(0, 1)
    else:
        cols = np.matmul(w_t, y.reshape(n, groups, o // groups, math.prod(y_size)))
        cols = cols.reshape((n, c) + tuple(kernel) + tuple(y_size))
        out = np.zeros((n, c) + padded, dtype=cols.dtype)
        # col2im: each kernel offset's contribution lands on a strided region of the output.
        for offset in np.ndindex(*kernel):
            region = tuple(slice(k * d, k * d + s * (m - 1) + 1, s)
                           for k, d, s, m in zip(offset, dilation, stride, y_size))
            out[(Ellipsis,) + region] += cols[(slice(None), slice(None)) + offset]
    crop = tuple(slice(p, p + s) for p, s in zip(padding, out_size))
    return np.ascontiguousarray(out[(Ellipsis,) + crop])


def conv_weight(x, g, stride, padding, dilation, groups, kernel, cols=None):
    """The adjoint of ``conv_forward`` in ``w``: ``(O, C/groups, *kernel)``; ``cols`` is the
    forward's im2col matrix of ``x`` when it was kept."""
    n, c = x.shape[0], x.shape[1]
    o = g.shape[1]
    if cols is None:
        cols, _ = _im2col(x, kernel, stride, padding, dilation, groups, g.shape[2:])
    size = math.prod(g.shape[2:])
    g_mat = g.reshape(n, groups, o // groups, size).transpose(1, 2, 0, 3)
    g_mat = g_mat.reshape(groups, o // groups, n * size)
    return np.matmul(g_mat, cols.transpose(0, 2, 1)).reshape((o, c // groups) + tuple(kernel))


def _transposed_size(in_size, w_kernel, stride, padding, dilation, output_padding):
    return tuple((i - 1) * s - 2 * p + d * (k - 1) + 1 + op for i, k, s, p, d, op
                 in zip(in_size, w_kernel, stride, padding, dilation, output_padding))


# -- the graph nodes ------------------------------------------------------------------------
class ConvolutionBackward0(Op):
    saves = (0, 1)
    formula = ("d(conv(x, w))/dx = conv_transpose(grad, w); /dw = windows(x) . grad; "
               "/db = grad summed over batch and space")

    def backward(self, grad):
        saved = self.saved_tensors
        input, weight = saved[0], saved[1]
        cols = saved[2] if len(saved) == 3 else None
        stride, padding, dilation, transposed, output_padding, groups = self.ctx
        g, x, w = grad._data, input._data, weight._data
        if g.dtype != x.dtype:
            g = g.astype(x.dtype)
        need = tuple(edge[0] is not None for edge in self.next_functions)
        grads = [None, None, None]
        kernel = w.shape[2:]
        if not transposed:
            if need[0]:
                grads[0] = conv_transpose_forward(g, w, stride, padding, dilation, groups,
                                                  x.shape[2:])
            if need[1]:
                grads[1] = conv_weight(x, g, stride, padding, dilation, groups, kernel, cols)
        else:
            if need[0]:
                gi = conv_forward(g, w, stride, padding, dilation, groups)[0]
                # output_padding >= stride (allowed below dilation) leaves extra positions.
                grads[0] = gi[(Ellipsis,) + tuple(slice(0, s) for s in x.shape[2:])]
            if need[1]:
                grads[1] = conv_weight(g, x, stride, padding, dilation, groups, kernel)
        if need[2]:
            grads[2] = g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        which = tuple(i for i in range(3) if grads[i] is not None)
        results = tuple(wrap(grads[i]) for i in which)
        if _state.enabled:
            record_multi(ConvolutionBackwardBackward0, results, (grad, input, weight),
                         (self.ctx, which))
        out = [None, None, None]
        for i, r in zip(which, results):
            out[i] = r
        return tuple(out)


class ConvolutionBackwardBackward0(Op):
    """The backward of a convolution, recorded under ``create_graph``."""

    saves = (0, 1, 2)
    formula = "the three conv kernels are bilinear: each derivative is another convolution"
    _materialize_grads = False

    def backward(self, *grads):
        grad, input, weight = self.saved_tensors
        params, which = self.ctx
        stride, padding, dilation, transposed, output_padding, groups = params
        gg = [None, None, None]
        for i, g in zip(which, grads):
            gg[i] = g
        ggi, ggw, ggb = gg
        conv = (stride, padding, dilation, groups)
        d_grad = d_input = d_weight = None
        if not transposed:
            # grad_input = P2(grad, w), grad_weight = P3(x, grad), grad_bias = sum(grad)
            if ggi is not None:
                d_grad = _conv(ggi, weight, *conv)
                d_weight = _conv_weight(ggi, grad, *conv, weight.shape[2:])
            if ggw is not None:
                d_grad = _add(d_grad, _conv(input, ggw, *conv))
                d_input = _conv_t(grad, ggw, *conv, input.shape[2:])
        else:
            # grad_input = P1(grad, w), grad_weight = P3(grad, x), grad_bias = sum(grad)
            if ggi is not None:
                d_grad = _conv_t(ggi, weight, *conv, grad.shape[2:])
                d_weight = _conv_weight(grad, ggi, *conv, weight.shape[2:])
            if ggw is not None:
                d_grad = _add(d_grad, _conv_t(input, ggw, *conv, grad.shape[2:]))
                d_input = _crop(_conv(grad, ggw, *conv), input.shape[2:])
        if ggb is not None:
            bias_grad = ggb.reshape((1, -1) + (1,) * (grad.dim() - 2)).expand(grad.shape)
            d_grad = _add(d_grad, bias_grad)
        return d_grad, d_input, d_weight


def _add(a, b):
    return b if a is None else a + b


def _crop(t, size):
    for i, s in enumerate(size):
        if t.shape[2 + i] != s:
            t = t.narrow(2 + i, 0, s)
    return t


def _conv(x, w, stride, padding, dilation, groups):
    return _convolution(x, w, None, stride, padding, dilation, False, (0,) * len(stride),
                        groups)


def _conv_t(y, w, stride, padding, dilation, groups, out_size):
    """The transposed convolution whose output has ``out_size``, as a recorded op."""
    base = _transposed_size(y.shape[2:], w.shape[2:], stride, padding, dilation,
                            (0,) * len(stride))
    output_padding = tuple(o - b for o, b in zip(out_size, base))
    return _convolution(y, w, None, stride, padding, dilation, True, output_padding, groups)


def _conv_weight(x, g, stride, padding, dilation, groups, kernel):
    """``conv_weight`` in ember ops: a convolution of the input's channels, batch as
    channels, with the gradient as the kernel (stride and dilation swap roles)."""
    n, c, nd = x.shape[0], x.shape[1], x.dim() - 2
    cg = c // groups
    space = tuple(range(3, 3 + nd))
    xt = x.reshape((n, groups, cg) + tuple(x.shape[2:])).permute((2, 1, 0) + space)
    xt = xt.reshape((cg, groups * n) + tuple(x.shape[2:]))
    result = _conv(xt, g.transpose(0, 1), dilation, padding, stride, groups)
    return _crop(result, kernel).transpose(0, 1)


# -- the op ---------------------------------------------------------------------------------
def _convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                 groups):
    """The convolution on checked arguments (tuples of ints), recorded."""
    x, w = input._data, weight._data
    cols = None
    if not transposed:
        data, cols = conv_forward(x, w, stride, padding, dilation, groups)
    else:
        size = _transposed_size(x.shape[2:], w.shape[2:], stride, padding, dilation,
                                output_padding)
        data = conv_transpose_forward(x, w, stride, padding, dilation, groups, size)
    if bias is not None:
        data += bias._data.reshape((-1,) + (1,) * (data.ndim - 2))
    out = wrap(data)
    if _state.enabled and (input._requires_grad or weight._requires_grad
                           or (bias is not None and bias._requires_grad)):
        node = record(ConvolutionBackward0, out, (input, weight, bias),
                      (stride, padding, dilation, transposed, output_padding, groups))
        # Keep the im2col matrix for the weight gradient when it is small: backward then
        # skips recomputing it. It is freed with the other saved values.
        if cols is not None and weight._requires_grad and cols.nbytes <= _KEEP_COLS_BYTES:
            node._saved.append((cols,))
    return out


def _expand(value, name, nd):
    """An int or a sequence as an ``nd``-tuple, with PyTorch's message for a bad length."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    values = tuple(v.__index__() for v in values)
    if len(values) == 1:
        return values * nd
    if len(values) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(values)}")
    return values


def _sizes(t):
    return f"[{', '.join(map(str, t.shape))}]"


def _check(input, weight, bias, stride, padding, dilation, transposed, output_padding,
           groups):
    """PyTorch's argument checks, in its order; returns the parameters as tuples."""
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_CPP_NAMES.get(input.dtype.np.name)}) and bias type "
                           f"({_CPP_NAMES.get(bias.dtype.np.name)}) should be the same")
    nd = weight.dim() - 2
    if nd <= 0:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride = _expand(stride, "stride", nd)
    padding = _expand(padding, "padding", nd)
    dilation = _expand(dilation, "dilation", nd)
    output_padding = _expand(output_padding, "output_padding", nd)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    shape = weight.shape
    if input.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-"
                           f"dimensional weight {_sizes(weight)}, but got {input.dim()}-"
                           f"dimensional input of size {_sizes(input)} instead")
    if shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {_sizes(weight)} instead")
    if shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_sizes(weight)}] instead")
    if not transposed:
        _check_direct(input, weight, bias, padding, dilation, groups)
    else:
        _check_transposed(input, weight, bias, stride, dilation, output_padding, groups)
    if input.dtype != weight.dtype:
        a, b = input.dtype.np.name, weight.dtype.np.name
        if a == "float64":
            raise RuntimeError(f"expected scalar type Double but found {_SCALAR_NAMES[b]}")
        raise RuntimeError(f"Input type (torch.{_TENSOR_TYPES[a]}) and weight type "
                           f"(torch.{_TENSOR_TYPES[b]}) should be the same or input should be "
                           "a MKLDNN tensor and weight is a dense tensor")
    if input.dtype.np.kind == "b":
        kernel = "slow_conv3d_cpu" if nd == 3 else "slow_conv2d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    return stride, padding, dilation, output_padding


def _check_direct(input, weight, bias, padding, dilation, groups):
    shape = weight.shape
    if input.shape[1] != shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(weight)}, expected "
                           f"input{_sizes(input)} to have {shape[1] * groups} channels, but "
                           f"got {input.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != shape[0]):
        raise RuntimeError(f"Given weight of size {_sizes(weight)}, expected bias to be "
                           f"1-dimensional with {shape[0]} elements, but got bias of size "
                           f"{_sizes(bias)} instead")
    padded = [n + 2 * p for n, p in zip(input.shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(shape[2:], dilation)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                           "than actual input size")


def _check_transposed(input, weight, bias, stride, dilation, output_padding, groups):
    shape = weight.shape
    if input.shape[1] != shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_sizes(weight)}, expected "
                           f"input{_sizes(input)} to have {shape[0]} channels, but got "
                           f"{input.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != shape[1] * groups):
        raise RuntimeError(f"Given transposed=1, weight of size {_sizes(weight)}, expected "
                           f"bias to be 1-dimensional with {shape[1] * groups} elements, but "
                           f"got bias of size {_sizes(bias)} instead")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[3 - max(len(stride), 2):]
        ops = (0,) * (len(names) - len(stride)) + tuple(output_padding)
        strides = (1,) * (len(names) - len(stride)) + tuple(stride)
        dilations = (1,) * (len(names) - len(stride)) + tuple(dilation)
        parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, ops)]
                 + [f"stride_{n}: {v}" for n, v in zip(names, strides)]
                 + [f"dilation_{n}: {v}" for n, v in zip(names, dilations)])
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {' '.join(parts)}")


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """PyTorch's ``torch.convolution``: batched input only, every parameter given."""
    stride, padding, dilation, output_padding = _check(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
    return _convolution(input, weight, bias, stride, padding, dilation, bool(transposed),
                        output_padding, groups)


def _batched(name, input, nd):
    """``input`` with a batch dim, and whether one was added (PyTorch's unbatched input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.dim() == nd + 1:
        return unsqueeze(input, 0), True
    if input.dim() == nd + 2:
        return input, False
    raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                       f"but got input of size: {_sizes(input)}")


def _same_padding(input, weight, stride, dilation, nd):
    """``padding='same'``: the symmetric padding, and the input right-padded by the rest."""
    if any(s != 1 for s in _expand(stride, "stride", nd)):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    dilation = _expand(dilation, "dilation", nd)
    total = [d * (k - 1) for d, k in zip(dilation, weight.shape[2:])]
    left = tuple(t // 2 for t in total)
    extra = [t - 2 * (t // 2) for t in total]
    if any(extra):
        if not _same_warned:
            _same_warned.append(True)
            warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                          "require a zero-padded copy of the input be created", stacklevel=4)
        from .padding import constant_pad_nd
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        input = constant_pad_nd(input, pad, 0)
    return input, left


def _as_list(value, nd):
    """An int argument as ``nd`` copies (PyTorch's binding does this before checking)."""
    return value if isinstance(value, (tuple, list)) else (value,) * nd


def _conv_nd(name, nd, input, weight, bias, stride, padding, dilation, groups):
    input, unbatched = _batched(name, input, nd)
    stride, dilation = _as_list(stride, nd), _as_list(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            input, padding = _same_padding(input, weight, stride, dilation, nd)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _as_list(padding, nd)
    out = convolution(input, weight, bias, stride, padding, dilation, False, 0, groups)
    return squeeze(out, 0) if unbatched else out


def _conv_transpose_nd(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                       dilation):
    input, unbatched = _batched(name, input, nd)
    stride, padding, dilation, output_padding = (
        _as_list(v, nd) for v in (stride, padding, dilation, output_padding))
    out = convolution(input, weight, bias, stride, padding, dilation, True, output_padding,
                      groups)
    return squeeze(out, 0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose_nd("conv_transpose3d", 3, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)
