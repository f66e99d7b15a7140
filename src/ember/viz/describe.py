"""Words for what a graph holds: names for tensors, their shape and dtype, short values.

Leaves are named, in order of preference, by ``names={tensor: "w"}``, by
``params=dict(model.named_parameters())``, or (when neither is given) by the variables of
the code that asked: a tensor bound to ``w`` is called ``w``, and the parameters of a
module bound to ``model`` are ``model.<name>``. The learner tools all share these rules.
"""

import os
import sys

__all__ = ["user_frame", "named_tensors", "tensor_names", "output_names", "name_in_frame",
           "shape_text", "dtype_text", "tensor_text", "short"]

# Lists of tensors in scope name their items ``ws[3]``, up to this length.
_MAX_LISTED = 1000
_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_frame(frame=None):
    """The innermost frame that is not ember's own code: where the user's line is."""
    frame = sys._getframe(1) if frame is None else frame
    while frame is not None and frame.f_code.co_filename.startswith(_EMBER_DIR):
        frame = frame.f_back
    return frame


def _namespace_tensors(frame):
    """``(tensor, variable name)`` pairs for the tensors and module parameters in scope."""
    from .._tensor import Tensor
    module_class = getattr(sys.modules.get("ember.nn.module"), "Module", None)
    found = []
    scopes = (frame.f_globals,) if frame.f_locals is frame.f_globals else (
        frame.f_globals, frame.f_locals)
    # Later pairs win: module parameters, then list items, then tensors bound to a name.
    if module_class is not None:
        for scope in scopes:
            for var, value in list(scope.items()):
                if not var.startswith("_") and isinstance(value, module_class):
                    found.extend((param, f"{var}.{name}")
                                 for name, param in value.named_parameters())
    for scope in scopes:
        for var, value in list(scope.items()):
            if (not var.startswith("_") and type(value) in (list, tuple)
                    and len(value) <= _MAX_LISTED):
                found.extend((item, f"{var}[{i}]") for i, item in enumerate(value)
                             if isinstance(item, Tensor))
    for scope in scopes:
        found.extend((value, var) for var, value in list(scope.items())
                     if not var.startswith("_") and isinstance(value, Tensor))
    return found


def named_tensors(frame=None, params=None, names=None):
    """``(tensor, name)`` pairs from ``params``/``names``, or else from ``frame``'s variables.

    Later pairs take precedence when a tensor appears twice.
    """
    if params is None and names is None:
        return _namespace_tensors(frame) if frame is not None else []
    found = [(tensor, name) for name, tensor in dict(params or {}).items()]
    for key, value in dict(names or {}).items():
        # Accept {tensor: "w"} as documented, and the reversed {"w": tensor} too.
        found.append((value, key) if isinstance(key, str) else (key, value))
    return found


def tensor_names(frame=None, params=None, names=None):
    """``{id(tensor): name}`` (see ``named_tensors``)."""
    return {id(tensor): name for tensor, name in named_tensors(frame, params, names)}


def output_names(pairs):
    """``{grad_fn: name}``: the node whose output a named non-leaf tensor is."""
    return {tensor._grad_fn: name for tensor, name in pairs
            if getattr(tensor, "_grad_fn", None) is not None}


def name_in_frame(tensor, frame):
    """The variable (or ``module.param``) that holds ``tensor`` in ``frame``, or None."""
    if frame is None:
        return None
    found = None
    for candidate, name in _namespace_tensors(frame):
        if candidate is tensor:
            found = name
    return found


def shape_text(shape):
    return str(tuple(shape))


def dtype_text(dtype):
    return str(dtype).rsplit(".", 1)[-1]


def tensor_text(tensor, name=None):
    """``w: (3, 4) float32``: what a tensor is, without its values."""
    text = f"{shape_text(tensor.shape)} {dtype_text(tensor.dtype)}"
    return f"{name}: {text}" if name else text


def short(value, limit=6):
    """A tensor's values on one line (elided past ``limit`` elements); numbers as repr."""
    from .._printing import printoptions
    from .._tensor import Tensor
    if not isinstance(value, Tensor):
        return repr(value)
    if value._data.size <= limit:
        text = repr(value)
    else:
        with printoptions(threshold=limit, edgeitems=1):
            text = repr(value)
        text += f" {shape_text(value.shape)}"
    return " ".join(line.strip() for line in text.splitlines())
