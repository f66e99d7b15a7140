"""``ember.cuda``: what a CPU-only PyTorch answers, so ``device = "cuda" if
torch.cuda.is_available() else "cpu"`` and seeding code run unchanged.

Queries about a GPU answer "none"; seeding is a silent no-op (as in PyTorch without CUDA);
anything that needs a device raises PyTorch's ``AssertionError``.
"""

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "current_device", "synchronize", "get_device_name", "empty_cache",
           "is_initialized"]

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """No device, nothing to seed (PyTorch ignores the call lazily too)."""


def manual_seed_all(seed):
    """No device, nothing to seed."""


def seed():
    """No device, nothing to seed."""


def seed_all():
    """No device, nothing to seed."""


def empty_cache():
    """No device memory to release."""


def current_device():
    raise AssertionError(_NOT_COMPILED)


def synchronize(device=None):
    raise AssertionError(_NOT_COMPILED)


def get_device_name(device=None):
    raise AssertionError(_NOT_COMPILED)
