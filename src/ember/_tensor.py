"""The Tensor: one NumPy array plus autograd metadata.

A tensor holds
- ``_data``: the values, a ``numpy.ndarray`` (views share it with their base);
- ``_requires_grad``, ``_grad``, ``_grad_fn`` and ``_output_nr`` (which output of its
  grad_fn it is);
- ``_vc``: the version counter, a one-element list shared with every view of the same
  memory, bumped by in-place ops so saved tensors can tell they were overwritten;
- ``_base``: the tensor this one is a view of, if any;
- ``_accumulator``: the leaf's cached ``AccumulateGrad`` node.

Everything computational (arithmetic, reductions, shape ops) lives in ``ember/ops`` and is
bound to the class there; this module keeps to the tensor's own state and the
conversions out of it.
"""

import warnings

import numpy as np

from . import _dtype
from ._size import Size

__all__ = ["Tensor"]

_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # The hot fields are slots; the rest are class-level defaults that an instance only
    # overrides when it needs to, so making a tensor sets four fields, not ten.
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_vc", "__weakref__", "__dict__")
    _grad = None
    _output_nr = 0
    _base = None
    _accumulator = None
    _retains_grad = False

    # torch.Tensor(data) is the legacy constructor: always the default float dtype.
    def __init__(self, *args):
        if len(args) == 1 and not isinstance(args[0], int):
            data = np.asarray(_to_python(args[0]), dtype=_dtype.get_default_dtype().np)
        else:
            data = np.empty(tuple(args), dtype=_dtype.get_default_dtype().np)
        _init(self, data)

    @classmethod
    def _from_array(cls, data, requires_grad=False):
        """Wrap an ndarray without copying. The one way ops make tensors."""
        self = _new(cls)
        self._data = data
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._vc = [0]
        return self

    # -- metadata -------------------------------------------------------------------------
    @property
    def dtype(self):
        return _dtype._BY_NUMPY[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    @property
    def device(self):
        from ._device import CPU
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    @property
    def _version(self):
        return self._vc[0]

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __hash__(self):
        return id(self)

    # -- autograd state -------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def output_nr(self):
        return self._output_nr

    def _get_accumulator(self):
        """This leaf's ``AccumulateGrad`` node, created once and reused for every use."""
        acc = self._accumulator
        if acc is None:
            from .autograd.graph import AccumulateGrad
            acc = self._accumulator = AccumulateGrad(self)
        return acc

    @property
    def data(self):
        """The same values, detached from the graph. It shares memory but not the version
        counter (unlike ``detach()``), so in-place changes through ``.data`` go unseen by
        autograd's checks, as in PyTorch."""
        return Tensor._from_array(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data

    def detach(self):
        """A new leaf sharing memory (and the version counter) with this tensor."""
        out = Tensor._from_array(self._data)
        out._vc = self._vc
        return out

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        node = self._grad_fn

        def retain(grad, tensor=self):
            if tensor._grad is None:
                tensor._grad = Tensor._from_array(grad._data.copy())
            else:
                tensor._grad = tensor._grad + grad
        node._register_retains_grad_hook(self._output_nr, retain)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        acc = self._get_accumulator()
        return acc._register_tensor_hook(0, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        acc = self._get_accumulator()
        if acc._post_hooks is None:
            acc._post_hooks = []
        acc._post_hooks.append(hook)
        from .autograd.graph import _RemovableHandle
        return _RemovableHandle(acc._post_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- conversions out ------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is None:
            return self._data
        return self._data.astype(dtype, copy=False)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __format__(self, format_spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        out = type(self)._from_array(self._data.copy(), self._requires_grad)
        if type(self) is not Tensor:
            out.__dict__.update(self.__dict__)
        if self._grad is not None:
            out._grad = Tensor._from_array(self._grad._data.copy())
        memo[id(self)] = out
        return out


class _Autograd:
    """Late binding to ``ember.autograd`` (which imports this module, so it cannot be
    imported here at load time); ``ember.autograd`` fills ``backward`` in when it loads."""

    backward = None


_autograd = _Autograd()


def _rebuild(data, requires_grad):
    return Tensor._from_array(data, requires_grad)


def _init(self, data):
    self._data = data
    self._requires_grad = False
    self._grad_fn = None
    self._vc = [0]


_new = object.__new__


def _wrap_dim(dim, ndim):
    """A possibly negative dimension index, checked, as a non-negative one."""
    dim = dim.__index__()
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-rank}, {rank - 1}], but got {dim})")
    return dim + rank if dim < 0 else dim


def _to_python(data):
    """Nested lists/tuples of tensors and numbers as plain Python values for NumPy."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_python(x) for x in data]
    return data
