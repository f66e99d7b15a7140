"""dtype conversions: ``to``, ``type``, ``float()``/``double()``/... (``ToCopyBackward0``)."""


from .. import _dtype
from .._device import as_device
from ._dispatch import Op, _state, record, wrap


class ToCopyBackward0(Op):
    formula = "to(dtype): cast the gradient back"

    def backward(self, grad):
        return grad.to(_dtype._BY_NUMPY[self._input_meta[0][1]])


def _cast(input, dtype, copy=False):
    if dtype is input.dtype and not copy:
        return input
    if dtype.category < 2 and input._requires_grad and _state.enabled:
        # PyTorch allows the cast; the result simply does not require grad.
        return wrap(input._data.astype(dtype.np))
    out = wrap(input._data.astype(dtype.np))
    if _state.enabled and input._requires_grad:
        record(ToCopyBackward0, out, (input,))
    return out


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False,
       memory_format=None):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``."""
    from .._tensor import Tensor
    for arg in args:
        if isinstance(arg, _dtype.dtype):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        else:
            device = arg
    as_device(device)
    if dtype is None:
        return input if not copy else _cast(input, input.dtype, copy=True)
    return _cast(input, dtype, copy)


def _method(dtype):
    def convert(input, memory_format=None):
        return _cast(input, dtype)
    convert.__name__ = dtype.name
    return convert


float = _method(_dtype.float32)
double = _method(_dtype.float64)
half = _method(_dtype.float16)
long = _method(_dtype.int64)
int = _method(_dtype.int32)
short = _method(_dtype.int16)
char = _method(_dtype.int8)
byte = _method(_dtype.uint8)
bool = _method(_dtype.bool)


_TYPE_NAMES = {
    "torch.FloatTensor": _dtype.float32, "torch.DoubleTensor": _dtype.float64,
    "torch.HalfTensor": _dtype.float16, "torch.LongTensor": _dtype.int64,
    "torch.IntTensor": _dtype.int32, "torch.ShortTensor": _dtype.int16,
    "torch.CharTensor": _dtype.int8, "torch.ByteTensor": _dtype.uint8,
    "torch.BoolTensor": _dtype.bool,
}


def type(input, dtype=None, non_blocking=False):
    """With no argument, PyTorch's legacy type name; otherwise a cast."""
    if dtype is None:
        return "torch." + input.dtype._legacy_name
    if isinstance(dtype, str):
        if dtype not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _TYPE_NAMES[dtype]
    elif not isinstance(dtype, _dtype.dtype) and isinstance(getattr(dtype, "dtype", None),
                                                             _dtype.dtype):
        dtype = dtype.dtype  # a legacy type: t.type(torch.DoubleTensor)
    return _cast(input, dtype)


def type_as(input, other):
    return _cast(input, other.dtype)


def cpu(input, memory_format=None):
    return input


def view_as_dtype(input, dtype):
    from .shape import make_view
    return make_view(input, input._data.view(dtype.np))


# Tensor methods only: `ember.float` is the dtype, not a function.
__all__ = []
METHODS = {"to": to, "type": type, "type_as": type_as, "cpu": cpu, "float": float,
           "double": double, "half": half, "long": long, "int": int, "short": short,
           "char": char, "byte": byte, "bool": bool}
