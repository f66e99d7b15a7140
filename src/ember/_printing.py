"""``repr``/``str`` of tensors, character for character as PyTorch prints them, and the
print options (``set_printoptions``, ``get_printoptions``, ``printoptions``).

The rules are PyTorch's (``torch/_tensor_str.py``), rewritten to work on one flat Python
list of the values that will be shown, so that printing a small tensor costs one
``tolist()`` and a few string formats:

* Only the values that will be printed are looked at: past ``threshold`` elements each
  dimension keeps its first and last ``edgeitems`` entries, and the format is chosen from
  those alone.
* Floats are formatted from Python floats (doubles) whatever their dtype. The mode is
  chosen from the nonzero finite values: all integral gives ``12.``; sci notation when
  max/min > 1000, max > 1e8 or min < 1e-4 (or as ``sci_mode`` forces). Every entry is
  right-aligned to the widest nonzero finite one; nan/inf/0 never widen the column.
* Complex values format real and imaginary parts with two independent float formats.
* Suffixes (device, size, dtype, grad_fn or requires_grad) follow ``", "`` or wrap onto a
  new line indented by ``len("tensor(")`` when the last line would pass ``linewidth``.

Decision: ``get_printoptions`` is public here (PyTorch keeps it in ``torch._tensor_str``),
and an unknown ``profile`` name is ignored, as PyTorch ignores it.
"""

import contextlib
import math

import numpy as np

from . import _dtype

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]

_PREFIX = "tensor("
_INDENT = len(_PREFIX)


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth = 4, 1000, 3, 80
        self.sci_mode = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options, as ``torch.set_printoptions``.

    ``profile`` ("default", "short", "full") sets the four numeric options first; explicit
    arguments then override it. Like PyTorch, ``sci_mode`` is always assigned, so omitting it
    resets it to None (automatic).
    """
    if profile in _PROFILES:
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options as a dict that ``set_printoptions(**options)`` accepts."""
    return {name: getattr(_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that sets print options and restores the previous ones on exit."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def _format_floats(values):
    """Strings for Python floats ``values`` under one shared format, and the column width.

    The width is the longest string among nonzero finite values (at least 1), so a nan or
    inf may be wider than its column and is then printed unpadded, as PyTorch does.
    """
    shown = [v for v in values if v and math.isfinite(v)]
    if not shown:
        # No value to size a format from: PyTorch falls back to integer mode, never sci.
        return [f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}" for v in values], 1
    precision = _OPTS.precision
    sci_mode = _OPTS.sci_mode
    if sci_mode is None:
        magnitudes = [abs(v) for v in shown]
        low, high = min(magnitudes), max(magnitudes)
        sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
    if sci_mode:
        strings = [format(v, f".{precision}e") for v in values]
    elif all(v.is_integer() for v in shown):
        # Integral floats print as "12." so they still read as floats; nan/inf get no dot.
        strings = [f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}" for v in values]
    else:
        strings = [format(v, f".{precision}f") for v in values]
    width = max(len(s) for s, v in zip(strings, values) if v and math.isfinite(v))
    return strings, width


def _format_elements(values, dtype):
    """Every value's final (padded) string, and the width one element takes on a line."""
    if dtype.is_complex:
        real, real_width = _format_floats([v.real for v in values])
        imag, imag_width = _format_floats([v.imag for v in values])
        elements = []
        for r, i in zip(real, imag):
            i = (i.rjust(imag_width) + "j").lstrip()
            # A sign already separates the parts; otherwise (nan, unsigned) add "+".
            elements.append(r.rjust(real_width) + (i if i[0] in "+-" else "+" + i))
        return elements, real_width + imag_width + 1
    if dtype.is_floating_point:
        strings, width = _format_floats(values)
    else:
        strings = [str(v) for v in values]
        width = max(map(len, strings))
    return [s.rjust(width) for s in strings], width


def _summarize(data, edge):
    """Keep the first and last ``edge`` entries along each axis longer than ``2 * edge``;
    also return which axes were cut (they get a ``...`` entry)."""
    cut = []
    for axis, size in enumerate(data.shape):
        is_cut = size > 2 * edge
        if is_cut:
            data = data.take(np.r_[0:edge, size - edge:size], axis=axis)
        cut.append(is_cut)
    return data, cut


def _layout(elements, shape, cut, edge, per_line, indent):
    """Nest the flat C-order ``elements`` into PyTorch's bracketed, wrapped text."""
    ndim = len(shape)
    strides = [1] * ndim
    for axis in range(ndim - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    row_break = ",\n" + " " * (indent + ndim)

    def block(start, axis):
        if axis == ndim - 1:
            row = elements[start:start + shape[axis]]
            if cut[axis]:
                row = row[:edge] + [" ..."] + row[edge:]
            lines = [", ".join(row[i:i + per_line]) for i in range(0, len(row), per_line)]
            return "[" + row_break.join(lines) + "]"
        parts = [block(start + i * strides[axis], axis + 1) for i in range(shape[axis])]
        if cut[axis]:
            parts.insert(edge, "...")
        # Sub-blocks of a k-dim block are separated by k-1 newlines: blank lines in 3-D.
        separator = "," + "\n" * (ndim - axis - 1) + " " * (indent + axis + 1)
        return "[" + separator.join(parts) + "]"

    return block(0, 0)


def _body(data, dtype):
    """The bracketed values of a non-empty array, as they follow ``tensor(``."""
    opts = _OPTS
    edge = opts.edgeitems
    summarize = data.size > opts.threshold
    if summarize and not edge and data.ndim:
        return "[...]"
    if summarize:
        data, cut = _summarize(data, edge)
    else:
        cut = [False] * data.ndim
    elements, element_width = _format_elements(data.ravel().tolist(), dtype)
    if not data.ndim:
        return elements[0]
    # Rows of the innermost dimension start after one "[" per dimension.
    indent = _INDENT + data.ndim - 1
    per_line = max(1, math.floor((opts.linewidth - indent) / (element_width + 2)))
    return _layout(elements, data.shape, cut, edge, per_line, _INDENT)


def _add_suffixes(text, suffixes):
    linewidth = _OPTS.linewidth
    # PyTorch's measure of the last line: its length plus 2 (or plus 1 after a newline).
    last_line_len = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            pieces.append(",\n" + " " * _INDENT + suffix)
            last_line_len = _INDENT + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(t):
    """The text ``repr(t)`` (and ``str(t)``) shows: exactly PyTorch's for the same tensor."""
    data = t._data
    dtype = t.dtype
    default_float = _dtype.get_default_dtype()
    suffixes = []
    device = str(t.device)
    if device != "cpu":
        suffixes.append(f"device='{device}'")
    if data.size == 0:
        # Nothing shows the dtype of an empty tensor, so any non-default one is spelled out.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype is not default_float:
            suffixes.append(f"dtype={dtype!r}")
        text = _PREFIX + "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        default_complex = _dtype.complex128 if default_float is _dtype.float64 else _dtype.complex64
        if dtype not in (default_float, default_complex, _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={dtype!r}")
        text = _PREFIX + _body(data, dtype)
    grad_fn = t.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(text, suffixes)
