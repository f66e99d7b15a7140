"""``Optimizer``: parameter groups, per-parameter state, zero_grad, state_dict.

The bookkeeping follows PyTorch's ``torch.optim.Optimizer`` line by line: the same checks
and messages when groups are added, named parameters (``model.named_parameters()``), the
same ``state_dict`` layout (parameters replaced by their index, ``params`` last in each
group) and the same ``repr``. Updates are done on the arrays in place, rounded as PyTorch's
kernels round them (see ``_kernels``).
"""

import collections
import copy
import warnings

import numpy as np

from .._tensor import Tensor
from ._kernels import add_scaled_

__all__ = ["Optimizer", "add_scaled_", "required"]


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    kind = type(obj)
    if kind.__module__ in ("", "builtins"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


class Optimizer:
    """Base class: holds ``param_groups`` (lists of parameters plus their settings)."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if not param_groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    # Per algorithm: group options that older checkpoints lack (filled with these values on
    # load), and state entries once saved as numbers (made 0-d float32 tensors on load).
    _restored_defaults = None
    _scalar_state_keys = ("step",)

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._restored_defaults is not None:
            restore_group_defaults(self, self._restored_defaults, self._scalar_state_keys)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- groups -------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters, filling unset options from ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        _split_names(param_group, list(params))
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable") and not (param.is_leaf
                                                                 or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        self._check_disjoint(param_group)
        self.param_groups.append(param_group)

    def _check_disjoint(self, param_group):
        params = param_group["params"]
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=4)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {kind} to the optimizer")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

    # -- gradients ----------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients (``None``), or zero them in place."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if grad._grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss.

        An algorithm defines ``_update(p, group)`` for one parameter (or overrides ``step``
        when it needs the whole group at once); the base class has no update of its own.
        """
        if not hasattr(self, "_update"):
            raise NotImplementedError
        return self._step_each(closure)

    def _step_each(self, closure):
        """``closure()`` with gradients on, then ``self._update(p, group)`` for every
        parameter that has a gradient, group by group; returns the closure's loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    self._update(p, group)
        return loss

    def _run_closure(self, closure):
        if closure is None:
            return None
        from ..autograd.grad_mode import enable_grad
        with enable_grad():
            return closure()

    # -- saving and loading -------------------------------------------------------------------
    def state_dict(self):
        """State and groups with parameters replaced by their index, as PyTorch saves them.

        The state's per-parameter dicts are the live ones, as in PyTorch.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: s
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state and group options saved by ``state_dict`` into these parameters."""
        state_dict = dict(state_dict)
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for g, s in zip(groups, saved_groups)
                    for i, p in zip(s["params"], g["params"])}
        state = collections.defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                param = by_index[key]
                state[param] = {k: _cast(param, v, k) for k, v in value.items()}
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})


def _split_names(param_group, params):
    """Accept ``(name, tensor)`` pairs, as from ``named_parameters()``, keeping the names."""
    names = [p[0] for p in params if isinstance(p, tuple)]
    param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
    if names:
        if len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param "
                             "names are missing")
        param_group["param_names"] = names


def _cast(param, value, key):
    """A loaded state value made to fit ``param``: floating tensors take its dtype."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point() and value.dtype is not param.dtype:
            return value.to(param.dtype)
        return value
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    return value


# -- shared by the algorithms ---------------------------------------------------------------------
def to_scalar(value):
    """A hyperparameter for the arithmetic of a step: a one-element tensor becomes a NumPy
    scalar of its dtype, so that (as in PyTorch, which keeps it a 0-d tensor) the scalar
    arithmetic it enters is rounded in that dtype."""
    return value._data.reshape(())[()] if isinstance(value, Tensor) else value


def check_lr(lr):
    """PyTorch's checks of ``lr``, in its order."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_flags(defaults, name):
    """``differentiable`` is refused (updates run on arrays); ``fused`` excludes the rest."""
    if defaults.get("fused"):
        if defaults.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if defaults.get("differentiable"):
        raise NotImplementedError(f"ember does not support {name}(differentiable=True) yet")


_CAPTURABLE_DEVICES = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"


def check_capturable(group, what="params and state_steps", devices=_CAPTURABLE_DEVICES):
    """``capturable=True`` is for accelerators: PyTorch refuses it on CPU when stepping."""
    if group.get("capturable"):
        raise AssertionError(f"If capturable=True, {what} must be on supported devices: "
                             f"{devices}.")


def scalar_state(value=0.0):
    """A 0-d float32 tensor, as PyTorch keeps ``step`` (and ASGD's ``eta``, ``mu``)."""
    return Tensor._from_array(np.array(value, dtype=np.float32))


def zeros_state(param, fill=0):
    """A state buffer shaped and typed as ``param`` (``torch.zeros_like``/``full_like``)."""
    return Tensor._from_array(np.full_like(param._data, fill))


def increment(step):
    """``step += 1`` in place on a 0-d state tensor; returns the new value as a float."""
    step._data += 1
    step._vc[0] += 1
    return float(step._data)


def restore_group_defaults(optimizer, defaults, scalar_keys=("step",)):
    """``__setstate__`` of an algorithm: options missing from old checkpoints are filled,
    and numbers saved where tensors are now kept become 0-d float32 tensors."""
    for group in optimizer.param_groups:
        for key, value in defaults.items():
            group.setdefault(key, value)
        for p in group["params"]:
            state = optimizer.state.get(p, {})
            for key in scalar_keys:
                if key in state and not isinstance(state[key], Tensor):
                    state[key] = scalar_state(float(state[key]))
