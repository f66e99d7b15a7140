"""ASGD (averaged stochastic gradient descent): PyTorch's single-tensor update."""

from ._kernels import add_scaled_, as_real
from .optimizer import (
    Optimizer,
    check_capturable,
    check_flags,
    check_lr,
    increment,
    scalar_state,
    to_scalar,
    zeros_state,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """PyTorch's ASGD: state ``step``, ``eta``, ``mu`` (0-d float32 tensors) and ``ax``,
    the running average of the parameter."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state_keys = ("step", "eta", "mu")

    def _update(self, p, group):
        state = self.state[p]
        lr = to_scalar(group["lr"])
        if not state:
            state["step"] = scalar_state()
            state["eta"] = scalar_state(lr)
            state["mu"] = scalar_state(1.0)
            state["ax"] = zeros_state(p)
        check_capturable(group, "params, mus, etas, and state_steps")
        lambd = group["lambd"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        eta, mu, ax = state["eta"], state["mu"], state["ax"]
        step = increment(state["step"])
        if group["weight_decay"] != 0:
            grad = grad.copy()
            add_scaled_(grad, param, group["weight_decay"])
        eta_value = float(eta._data)
        param *= kind(1 - lambd * eta_value)
        add_scaled_(param, grad, -eta_value)
        average = as_real(ax._data)
        if float(mu._data) != 1:
            difference = param - average
            difference *= kind(mu._data)
            average += difference
        else:
            average[...] = param
        ax._vc[0] += 1
        # New values are made as float32 tensors (torch.as_tensor of a Python float), then
        # copied into the state, whatever its dtype.
        eta._data[...] = scalar_state(lr / (1 + lambd * lr * step) ** group["alpha"])._data
        mu._data[...] = scalar_state(1 / max(1, step - group["t0"]))._data
        eta._vc[0] += 1
        mu._vc[0] += 1
        p._vc[0] += 1
