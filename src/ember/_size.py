"""``Size``: the tuple subclass returned by ``Tensor.shape`` and ``Tensor.size()``.

As in PyTorch, a Size holds plain ints (anything with ``__index__`` but a float is
accepted and converted), and slicing, ``+`` and ``*`` give Sizes back.
"""

__all__ = ["Size"]


def _as_int(item, position):
    if not isinstance(item, float) and hasattr(item, "__index__"):
        try:
            return item.__index__()
        except TypeError:
            pass
    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {position} is "
                    f"'{type(item).__name__}')")


class Size(tuple):
    """A tensor's shape; prints as ``torch.Size([2, 3])``, as in PyTorch."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        self = tuple.__new__(cls, sizes)
        # Tensor.shape makes a Size on every call: the all-int check is the fast path.
        for item in self:
            if type(item) is not int:
                return tuple.__new__(cls, [_as_int(x, i) for i, x in enumerate(self)])
        return self

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times):
        if not hasattr(times, "__index__"):
            raise TypeError(f"can't multiply sequence by non-int of type "
                            f"'{type(times).__name__}'")
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__
