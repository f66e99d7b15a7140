"""``Size``: the tuple subclass returned by ``Tensor.shape`` and ``Tensor.size()``."""

__all__ = ["Size"]


class Size(tuple):
    """A tensor's shape; prints as ``torch.Size([2, 3])``, as in PyTorch."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))
