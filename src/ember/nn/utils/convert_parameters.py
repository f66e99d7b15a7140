"""Parameters as one flat vector and back: ``parameters_to_vector``,
``vector_to_parameters``."""

from ..._tensor import Tensor
from ...ops.joining import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old_param_device):
    """The device index all parameters share (-1 for CPU); PyTorch's error if they differ."""
    device = param.device
    index = -1 if device.type == "cpu" else (device.index or 0)
    if old_param_device is not None and index != old_param_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return index


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one vector (a differentiable copy)."""
    param_device = None
    vec = []
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Point each parameter's ``.data`` at its slice of ``vec``, in order."""
    if not isinstance(vec, Tensor):
        module, name = type(vec).__module__, type(vec).__qualname__
        name = name if module == "builtins" else f"{module}.{name}"
        raise TypeError(f"expected torch.Tensor, but got: {name}")
    param_device = None
    pointer = 0
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
