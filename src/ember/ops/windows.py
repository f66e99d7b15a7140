"""Signal windows: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window`` (inputs to ``stft`` and filters).

A periodic window of length N is the symmetric window of length N + 1 without its last
value, as in PyTorch. Values are computed in float64 and cast to the requested float dtype.
"""

import numpy as np

from .. import _dtype
from .._creation import _finish

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]
FUNCTION_ONLY = __all__


def _window(name, window_length, periodic, dtype, requires_grad, device, values):
    """Check the arguments as PyTorch does, then build ``values(n)`` (symmetric, n >= 2)."""
    dtype = dtype or _dtype.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{_CPP_NAMES.get(dtype.name, dtype.name)}, device=cpu, layout=Strided (default), "
            "requires_grad=false (default), pinned_memory=false, "
            "memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if window_length <= 1:
        data = np.ones(window_length, dtype=np.float64)
    else:
        n = window_length + 1 if periodic else window_length
        data = values(n)[:window_length]
    return _finish(data.astype(dtype.np), requires_grad, device)


_CPP_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """``alpha - beta cos(2 pi k / (N - 1))``."""
    def values(n):
        return alpha - beta * np.cos(np.arange(n) * (2 * np.pi / (n - 1)))
    return _window("hamming_window", window_length, periodic, dtype, requires_grad, device,
                   values)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    """``0.5 - 0.5 cos(2 pi k / (N - 1))``."""
    def values(n):
        return 0.5 - 0.5 * np.cos(np.arange(n) * (2 * np.pi / (n - 1)))
    return _window("hann_window", window_length, periodic, dtype, requires_grad, device,
                   values)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``."""
    def values(n):
        w = np.arange(n) * (np.pi / (n - 1))
        return 0.08 * np.cos(4 * w) - 0.5 * np.cos(2 * w) + 0.42
    return _window("blackman_window", window_length, periodic, dtype, requires_grad, device,
                   values)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangle ``1 - |2k / (N - 1) - 1|``."""
    def values(n):
        return 1 - np.abs(np.arange(n) * (2 / (n - 1)) - 1)
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, device,
                   values)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """``I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)``."""
    def values(n):
        return np.kaiser(n, beta)
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, device,
                   values)
