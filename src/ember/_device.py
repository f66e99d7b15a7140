"""Devices, and the array module that backs each.

CPU tensors hold ``numpy.ndarray``; a CUDA backend (CuPy) plugs in here by giving
``device("cuda")`` its own array module, so no op needs a branch per backend.
Only the CPU is available today. Asking for CUDA raises what a CPU-only PyTorch raises
(``AssertionError: Torch not compiled with CUDA enabled``), so scripts behave as they do
on a machine without a GPU; other device types raise a RuntimeError that says so.
"""

import numpy as np

__all__ = ["device"]


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:0')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # A bare index names the current accelerator, and there is none.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # PyTorch compares devices only with devices: device("cpu") == "cpu" is False.
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def as_device(value):
    """Normalise a ``device=`` argument (None, str, int or device) and check it is usable."""
    if value is None or value is CPU:
        return CPU
    d = value if isinstance(value, device) else device(value)
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type != "cpu":
        raise RuntimeError(
            f"ember has no {d.type} backend in this installation: only 'cpu' tensors are "
            "supported (CUDA through CuPy is planned)")
    return CPU


def array_module(dev):
    """The array library that holds tensors of this device."""
    return np
