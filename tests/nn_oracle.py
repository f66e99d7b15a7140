"""The oracle for layers: build the same module in ember and PyTorch and compare everything.

``check_module(make, *inputs)`` calls ``make(lib)`` with ``lib`` = ember and torch (so
``lambda lib: lib.nn.Conv2d(3, 4, 3)``), each after ``manual_seed(seed)``, and checks:

- the default initialisation: every parameter and buffer equal (issue 5: same seed, same
  initial weights), unless ``same_init=False``, in which case PyTorch's weights are copied
  into the ember module through ``load_state_dict``;
- the forward pass, in ``train`` or ``eval`` mode, on tensors made from the same NumPy
  inputs (floating inputs require grad): shape, dtype, values, ``requires_grad``, and the
  grad_fn name when ``check_grad_fn``;
- after a backward pass with the same random upstream gradient: every input's gradient and
  every parameter's ``.grad``, by name;
- every buffer after the forward pass (running statistics).

``forward(module, *xs)`` overrides how the module is called (keyword arguments, tuples).
Outputs may be tensors or (nested) tuples of tensors; ``None`` and non-tensors compare
with ``==``.
"""

import numpy as np
import torch

import ember
from oracle import assert_same_tensor, random_upstream, to_ember, to_torch

__all__ = ["check_module", "build_pair"]


def build_pair(make, seed=0, same_init=True, atol=None, rtol=None):
    """(ember module, torch module) built by ``make``, with equal state."""
    torch.manual_seed(seed)
    t_mod = make(torch)
    ember.manual_seed(seed)
    e_mod = make(ember)
    t_state = t_mod.state_dict()
    e_state = e_mod.state_dict()
    assert list(e_state) == list(t_state), f"state_dict keys {list(e_state)} != {list(t_state)}"
    if same_init:
        for key, t_value in t_state.items():
            assert_same_tensor(e_state[key], t_value, atol, rtol, what=f"initial {key}")
    else:
        e_mod.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                               for k, v in t_state.items()})
    return e_mod, t_mod


def _flatten(result):
    if isinstance(result, (tuple, list)):
        out = []
        for item in result:
            out.extend(_flatten(item))
        return out
    return [result]


def check_module(make, *inputs, train=True, seed=0, same_init=True, forward=None,
                 requires_grad=True, atol=None, rtol=None, grad_atol=None,
                 check_grad_fn=True, init_atol=None):
    """Compare ``make(ember)`` with ``make(torch)``; returns the two outputs."""
    e_mod, t_mod = build_pair(make, seed, same_init, init_atol, rtol)
    e_mod.train(train)
    t_mod.train(train)
    e_in = [to_ember(x, requires_grad) for x in inputs]
    t_in = [to_torch(x, requires_grad) for x in inputs]
    call = forward or (lambda module, *xs: module(*xs))
    # The same seed again before the forward pass, so dropout masks can be compared too.
    torch.manual_seed(seed + 1)
    t_out = _flatten(call(t_mod, *t_in))
    ember.manual_seed(seed + 1)
    e_out = _flatten(call(e_mod, *e_in))
    assert len(e_out) == len(t_out), f"{len(e_out)} outputs != {len(t_out)}"
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        if not isinstance(t, torch.Tensor):
            assert e == t, f"output {i}: {e!r} != {t!r}"
            continue
        assert_same_tensor(e, t, atol, rtol, what=f"output {i}")
        assert e.requires_grad == t.requires_grad, f"output {i}: requires_grad differs"
        if check_grad_fn:
            t_name = None if t.grad_fn is None else t.grad_fn.name()
            e_name = None if e.grad_fn is None else e.grad_fn.name()
            assert e_name == t_name, f"output {i}: grad_fn {e_name} != {t_name}"
    for name, t_buf in t_mod.named_buffers():
        assert_same_tensor(dict(e_mod.named_buffers())[name], t_buf, atol, rtol,
                           what=f"buffer {name}")

    pairs = [(e, t) for e, t in zip(e_out, t_out)
             if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs:
        return e_out, t_out
    e_roots, t_roots, e_grads, t_grads = random_upstream(pairs, seed)
    torch.autograd.backward(t_roots, t_grads)
    ember.autograd.backward(e_roots, e_grads)
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert e.grad is None or not np.any(e.grad.numpy()), f"input {i}: extra grad"
            else:
                assert e.grad is not None, f"input {i}: ember gave no gradient"
                assert_same_tensor(e.grad, t.grad, grad_atol or atol, rtol,
                                   what=f"grad of input {i}")
    e_params = dict(e_mod.named_parameters())
    for name, t_param in t_mod.named_parameters():
        e_grad = e_params[name].grad
        if t_param.grad is None:
            assert e_grad is None, f"parameter {name}: ember has a gradient, torch has none"
            continue
        assert e_grad is not None, f"parameter {name}: ember gave no gradient"
        assert_same_tensor(e_grad, t_param.grad, grad_atol or atol, rtol,
                           what=f"grad of {name}")
    return e_out, t_out
