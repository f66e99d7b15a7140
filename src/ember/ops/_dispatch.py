"""How an op runs: dtype promotion, the forward on arrays, and recording the graph.

An op is declared once as an ``Op`` subclass (a graph node named as PyTorch's grad_fn)
holding its forward on arrays, what it saves, and its derivative in ember ops. The
builders here turn such a declaration into the public function:

    exp = unary(ExpBackward0)
    mul = binary(MulBackward0)

When grad mode is off or no input requires grad, calling an op is one flag check, one
array operation and one Tensor: no node, nothing saved.
"""

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.anomaly_mode import record_trace
from ..autograd.anomaly_mode import state as _anomaly
from ..autograd.graph import Node, _sequence, save_input, save_output

# PyTorch computes infinities, nans and overflows silently; NumPy warns ("divide by zero
# encountered in log"). This filter silences those warnings where ember's own modules call
# NumPy: it costs nothing until a warning is raised (a per-op np.errstate would cost about
# 0.7 us per call) and leaves the warnings of the user's own NumPy code alone.
warnings.filterwarnings(
    "ignore", message=r"(divide by zero|invalid value|overflow|underflow) encountered in",
    category=RuntimeWarning, module=r"ember\.")

_state = grad_mode._state
_from_array = Tensor._from_array
_new = object.__new__
_NDARRAY = np.ndarray


def wrap(data):
    """A new Tensor over an op's result (NumPy gives scalars for 0-d results: re-wrap them).

    This is ``Tensor._from_array`` written out, because every op result passes through it.
    """
    if type(data) is not _NDARRAY:
        data = np.asarray(data)
    out = _new(Tensor)
    out._data = data
    out._requires_grad = False
    out._grad_fn = None
    out._vc = [0]
    return out

_NO_EDGE = (None, 0)


class Op(Node):
    """Base of every differentiable op: subclasses define ``forward`` and ``backward``."""

    __slots__ = ()
    # For holomorphic ops, a same-named subclass that follows PyTorch's convention for
    # complex gradients; ``record`` uses it when the result is complex (ops/_complex_grad).
    _complex_twin = None

    @staticmethod
    def forward(*arrays):
        # Only ops built by ``unary``/``binary`` need one; the others compute in their
        # public function.
        raise NotImplementedError


def edge(tensor):
    """The graph edge a gradient for ``tensor`` flows along."""
    if tensor is None or not tensor._requires_grad:
        return _NO_EDGE
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (tensor._get_accumulator(), 0)


def record(cls, result, inputs, ctx=None):
    """Make ``result`` the output of a new ``cls`` node over ``inputs`` (Tensors or None)."""
    twin = cls._complex_twin
    if twin is not None and result._data.dtype.kind == "c" and twin.__base__ is cls:
        cls = twin
    node = _new(cls)
    if ctx is not None:
        node.ctx = ctx
    # One or two tensor inputs (nearly every op) are written out: no per-call lists.
    n = len(inputs)
    if n == 2:
        a, b = inputs
        if isinstance(a, Tensor):
            if not a._requires_grad:
                ea = _NO_EDGE
            elif a._grad_fn is not None:
                ea = (a._grad_fn, a._output_nr)
            else:
                ea = (a._accumulator or a._get_accumulator(), 0)
            da = a._data
            if isinstance(b, Tensor):
                if not b._requires_grad:
                    eb = _NO_EDGE
                elif b._grad_fn is not None:
                    eb = (b._grad_fn, b._output_nr)
                else:
                    eb = (b._accumulator or b._get_accumulator(), 0)
                db = b._data
                node.next_functions = (ea, eb)
                node._input_meta = ((da.shape, da.dtype), (db.shape, db.dtype))
            else:
                # None, or a Python number kept as a constant (PyTorch's "wrapped number").
                node.next_functions = (ea, _NO_EDGE)
                node._input_meta = ((da.shape, da.dtype), None)
        else:
            _record_inputs(node, inputs)
    elif n == 1 and isinstance(inputs[0], Tensor):
        a = inputs[0]
        if not a._requires_grad:
            ea = _NO_EDGE
        elif a._grad_fn is not None:
            ea = (a._grad_fn, a._output_nr)
        else:
            ea = (a._accumulator or a._get_accumulator(), 0)
        node.next_functions = (ea,)
        da = a._data
        node._input_meta = ((da.shape, da.dtype),)
    else:
        _record_inputs(node, inputs)
    # Numbered after its inputs' nodes (and any AccumulateGrad just made for them), so
    # "higher sequence number first" is a topological order for the engine.
    node._seq = next(_sequence)
    if _anomaly.enabled:
        record_trace(node)
    saves = cls.saves
    if saves:
        saved = []
        for spec in saves:
            if spec == "result":
                saved.append(save_output(result))
            else:
                t = inputs[spec]
                saved.append((t, t._vc[0]) if type(t) is Tensor else save_input(t))
        node._saved = saved
    result._grad_fn = node
    result._requires_grad = True
    return node


def _record_inputs(node, inputs):
    """``record``'s edges and input metadata for any number of inputs, None among them."""
    edges = []
    meta = []
    for t in inputs:
        if type(t) is not Tensor and not isinstance(t, Tensor):
            # None, or a Python number kept as a constant (PyTorch's "wrapped number").
            edges.append(_NO_EDGE)
            meta.append(None)
            continue
        if not t._requires_grad:
            edges.append(_NO_EDGE)
        elif t._grad_fn is not None:
            edges.append((t._grad_fn, t._output_nr))
        else:
            edges.append((t._accumulator or t._get_accumulator(), 0))
        data = t._data
        meta.append((data.shape, data.dtype))
    node.next_functions = tuple(edges)
    node._input_meta = tuple(meta)


def record_multi(cls, results, inputs, ctx=None, differentiable=None):
    """Like ``record`` for ops with several outputs (``unbind``, ``split``, ``max(dim)``)."""
    node = _new(cls)
    node.ctx = ctx
    node.next_functions = tuple(edge(t) for t in inputs)
    node._seq = next(_sequence)
    node._input_meta = tuple(None if t is None else (t._data.shape, t._data.dtype)
                             for t in inputs)
    if _anomaly.enabled:
        record_trace(node)
    node._num_outputs = len(results)
    node._output_meta = tuple((r._data.shape, r.dtype) for r in results)
    if cls.saves:
        node._saved = tuple(save_output(results[0]) if spec == "result"
                            else save_input(inputs[spec]) for spec in cls.saves)
    for i, r in enumerate(results):
        if differentiable is None or i in differentiable:
            r._grad_fn = node
            r._requires_grad = True
            r._output_nr = i
    return node


def plain_arrays(*tensors):
    """Whether a derivative may run on the arrays of ``tensors`` directly: nothing is being
    recorded (a first-order backward, not ``create_graph``) and all share one dtype, so
    NumPy computes exactly what the ember ops would. The ember-op formula stays the
    definition, used whenever the derivative itself must be differentiable."""
    if _state.enabled:
        return False
    first = tensors[0]._data.dtype
    for t in tensors:
        # A Python number is "weak" in NumPy as in ember: it takes the array's dtype.
        if type(t) is not Tensor and not isinstance(t, Tensor):
            if type(t) is not float and type(t) is not int:
                return False
        elif t._data.dtype != first:
            return False
    return True


def raw(value):
    """A tensor's array, or a Python number as it is (for ``plain_arrays`` derivatives)."""
    return value._data if isinstance(value, Tensor) else value


def recording(*tensors):
    """Whether an op over these tensors must record a node."""
    if not _state.enabled:
        return False
    for t in tensors:
        if t is not None and t._requires_grad:
            return True
    return False


def float_data(tensor):
    """The array of a tensor, as the default float dtype if it is integral or bool."""
    data = tensor._data
    if data.dtype.kind in "biu":
        return data.astype(_dtype.get_default_dtype().np)
    return data


def unary(cls, float_result=True):
    """The public function for a one-input op; integer input gives a float result if asked."""
    forward = cls.forward

    def op(input):
        out = wrap(forward(float_data(input) if float_result else input._data))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,))
        return out

    op.__name__ = op.__qualname__ = _public_name(cls)
    op.__doc__ = cls.__doc__
    return op


def _public_name(cls):
    name = cls.__name__
    return name[:name.rfind("Backward")].lower()


def as_tensor_operand(value, dtype):
    """A Python scalar as a 0-d tensor of ``dtype`` (PyTorch's "wrapped number")."""
    return wrap(np.asarray(value, dtype=dtype.np))


def promote_operands(input, other, float_result=False):
    """The arrays for a binary op, cast to PyTorch's result dtype, and that dtype.

    ``other`` may be a Tensor or a Python/NumPy scalar. Returns (a, b, dtype, other_tensor)
    where ``other_tensor`` is None for a scalar.
    """
    if isinstance(other, Tensor):
        a, b = input._data, other._data
        if a.dtype == b.dtype:
            result = _dtype._BY_NUMPY[a.dtype]
        else:
            result = _dtype.result_type(input, other)
        if float_result and result.category < 2:
            result = _dtype.get_default_dtype()
        if a.dtype != result.np:
            a = a.astype(result.np)
        if b.dtype != result.np:
            b = b.astype(result.np)
        return a, b, result, other
    if isinstance(input, Tensor):
        if isinstance(other, np.generic):
            other = other.item()
        elif not isinstance(other, (int, float, bool, complex)):
            raise TypeError(f"unsupported operand type: '{type(other).__name__}'")
        a = input._data
        own = _dtype._BY_NUMPY[a.dtype]
        scalar = _dtype.scalar_dtype(other)
        result = own if scalar.category <= own.category else _dtype.combine(own, None, scalar)
        if float_result and result.category < 2:
            result = _dtype.get_default_dtype()
        if a.dtype != result.np:
            a = a.astype(result.np)
        # A Python scalar is "weak" in NumPy too, so it keeps the array's dtype, except
        # where NumPy would reject it (an out-of-range int): then make it a typed 0-d array.
        b = other if result.category >= scalar.category else np.asarray(other, result.np)
        return a, b, result, None
    raise TypeError(f"expected a Tensor, got {type(input).__name__}")


def broadcast_error(a_shape, b_shape):
    """PyTorch's message for shapes that do not broadcast (rightmost mismatch first)."""
    ndim = max(len(a_shape), len(b_shape))
    for i in range(ndim - 1, -1, -1):
        offset = ndim - 1 - i
        sa = a_shape[len(a_shape) - 1 - offset] if offset < len(a_shape) else 1
        sb = b_shape[len(b_shape) - 1 - offset] if offset < len(b_shape) else 1
        if sa != sb and sa != 1 and sb != 1:
            return RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                                f"({sb}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {tuple(a_shape)} and {tuple(b_shape)} cannot be broadcast")


def binary(cls, float_result=False):
    """The public function for a two-input pointwise op with PyTorch's promotion."""
    forward = cls.forward

    def op(input, other):
        # Fast path: two tensors of one dtype (the common case) need no promotion.
        if (type(other) is Tensor and type(input) is Tensor
                and input._data.dtype is other._data.dtype
                and (not float_result or input._data.dtype.kind in "fc")):
            a, b = input._data, other._data
            try:
                data = forward(a, b)
            except ValueError:
                raise broadcast_error(a.shape, b.shape) from None
            # ``wrap`` written out: this is the hottest line of ember.
            if type(data) is not _NDARRAY:
                data = np.asarray(data)
            out = _new(Tensor)
            out._data = data
            out._requires_grad = False
            out._grad_fn = None
            out._vc = [0]
            if _state.enabled and (input._requires_grad or other._requires_grad):
                record(cls, out, (input, other))
            return out
        # Fast path: a float tensor and a Python int/float keep the tensor's dtype
        # (NumPy treats the Python number as "weak", as PyTorch does).
        other_type = type(other)
        if (other_type is float or other_type is int) and type(input) is Tensor \
                and input._data.dtype.kind == "f":
            out = wrap(forward(input._data, other))
            if _state.enabled and input._requires_grad:
                record(cls, out, (input, other))
            return out
        if not isinstance(input, Tensor):
            input = wrap(np.asarray(input))
        a, b, dtype, other_t = promote_operands(input, other, float_result)
        try:
            data = forward(a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None
        out = wrap(data)
        if _state.enabled and (input._requires_grad
                               or (other_t is not None and other_t._requires_grad)):
            if other_t is None:
                other_t = as_tensor_operand(other, dtype)
            record(cls, out, (input, other_t))
        return out

    op.__name__ = op.__qualname__ = _public_name(cls)
    op.__doc__ = cls.__doc__
    return op


def compare(np_func, name):
    """A comparison: promotes like arithmetic, returns bool, never records a graph."""
    def op(input, other):
        if not isinstance(input, Tensor):
            input = wrap(np.asarray(input))
        a, b, _, _ = promote_operands(input, other)
        try:
            data = np_func(a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None
        return wrap(np.asarray(data))

    op.__name__ = op.__qualname__ = name
    return op
