"""PyTorch's ``torch.return_types``: named tuples returned by ``max(dim)``, ``sort``, ``topk``...

They unpack and index as tuples, name their fields (``.values``, ``.indices``) and print as
PyTorch's do::

    torch.return_types.max(
    values=tensor([3, 2]),
    indices=tensor([1, 0]))
"""

import collections

__all__ = ["max", "min", "median", "sort", "topk", "kthvalue", "aminmax", "frexp", "mode",
           "cummax", "cummin", "nanmedian", "histogram", "linalg_lstsq",
           "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack"]


def _make(name, fields=("values", "indices")):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})
    cls.__module__ = "torch.return_types"
    cls.__qualname__ = name
    return cls


max = _make("max")
min = _make("min")
median = _make("median")
sort = _make("sort")
topk = _make("topk")
kthvalue = _make("kthvalue")
aminmax = _make("aminmax", ("min", "max"))
frexp = _make("frexp", ("mantissa", "exponent"))
mode = _make("mode")
cummax = _make("cummax")
cummin = _make("cummin")
nanmedian = _make("nanmedian")
histogram = _make("histogram", ("hist", "bin_edges"))
linalg_lstsq = _make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_lu_factor = _make("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _make("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _make("linalg_lu", ("P", "L", "U"))
lu_unpack = _make("lu_unpack", ("P", "L", "U"))
