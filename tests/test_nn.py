"""Oracle tests for ``ember.nn``: modules and containers, state dicts, printing, Linear,
the pointwise losses and ``nn.init``, each compared with PyTorch."""

import collections
import warnings

import numpy as np
import pytest

import ember
from oracle import check_error, check_op, torch


def outcome(fn):
    """``fn()``'s result (a dtype as its repr), or the exception type and full message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn()
        return repr(result) if isinstance(result, (ember.dtype, torch.dtype)) else result
    except Exception as e:  # noqa: BLE001 (any exception is part of the outcome)
        return f"{type(e).__name__}: {e}"


def same_outcome(fn):
    """``fn(ember)`` and ``fn(torch)`` return equal values or raise the same error text."""
    expected = outcome(lambda: fn(torch))
    actual = outcome(lambda: fn(ember))
    assert actual == expected, f"\nember: {actual}\ntorch: {expected}"


def build_net(lib):
    """One model with every kind of member: parameters, buffers, children, containers."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(3, 4)
            self.act = nn.ReLU()
            self.seq = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2, bias=False))
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.scale = nn.Parameter(lib.ones(1))
            self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Sigmoid()])
            self.table = nn.ModuleDict({"a": nn.Identity(), "b": nn.Linear(1, 1)})

        def forward(self, x):
            return self.seq(self.act(self.fc1(x))) * self.scale + self.running

    lib.manual_seed(0)
    return Net()


# -- registration and traversal -----------------------------------------------------------
def _after(action, describe):
    def run(net):
        action(net)
        return describe(net)
    return run


def _requires_grad_off(net):
    net.requires_grad_(False)


def _delete_scale(net):
    del net.scale


def _reassign_buffer(net):
    net.running = net.running + 1


def _eval(net):
    net.eval()


def _double(net):
    net.double()


def _names(pairs):
    return [name for name, _ in pairs]


DESCRIBE = {
    "repr": repr,
    "named_parameters": lambda net: [(n, tuple(p.shape)) for n, p in net.named_parameters()],
    "named_parameters_not_recursive": lambda net: _names(net.named_parameters(recurse=False)),
    "named_parameters_prefix": lambda net: _names(net.named_parameters(prefix="model")),
    "parameter_count": lambda net: len(list(net.parameters())),
    "children": lambda net: [type(c).__name__ for c in net.children()],
    "named_children": lambda net: _names(net.named_children()),
    "modules": lambda net: [type(m).__name__ for m in net.modules()],
    "named_modules": lambda net: _names(net.named_modules()),
    "named_buffers": lambda net: _names(net.named_buffers()),
    "buffers": lambda net: [b.tolist() for b in net.buffers()],
    "state_dict_keys": lambda net: list(net.state_dict()),
    "state_dict_prefix": lambda net: list(net.state_dict(prefix="m."))[:4],
    "state_dict_type": lambda net: type(net.state_dict()).__name__,
    "state_dict_detached": lambda net: [v.requires_grad for v in net.state_dict().values()],
    "state_dict_keep_vars": lambda net: [type(v).__name__ for v in
                                         net.state_dict(keep_vars=True).values()],
    "state_dict_metadata": lambda net: dict(net.state_dict()._metadata),
    "training": lambda net: [m.training for m in net.modules()],
    "eval": _after(_eval, lambda net: [m.training for m in net.modules()]),
    "train_returns_self": lambda net: (net.train() is net, net.eval() is net),
    "apply_order": lambda net: (lambda seen: (net.apply(lambda m: seen.append(type(m).__name__)),
                                              seen)[1])([]),
    "apply_returns_self": lambda net: net.apply(lambda m: None) is net,
    "requires_grad_": _after(_requires_grad_off, lambda net: [p.requires_grad
                                                              for p in net.parameters()]),
    "delete_parameter": _after(_delete_scale, lambda net: _names(net.named_parameters())),
    "reassign_buffer_keeps_place": _after(_reassign_buffer,
                                          lambda net: (_names(net.named_buffers()),
                                                       list(net.state_dict())[-2:])),
    "double": _after(_double, lambda net: [repr(t.dtype) for t in
                                           net.state_dict(keep_vars=True).values()]),
    "parameter_type_after_double": _after(_double, lambda net: type(net.fc1.weight).__name__),
    "dir": lambda net: [name for name in ("fc1", "scale", "running", "heads") if name in dir(net)],
    "get_submodule": lambda net: repr(net.get_submodule("seq.0")),
    "get_parameter": lambda net: tuple(net.get_parameter("seq.0.weight").shape),
    "getattr_missing": lambda net: net.missing,
    "get_submodule_missing": lambda net: net.get_submodule("seq.9"),
    "to_int_dtype": lambda net: net.to(_lib_of(net).int64),
}


def _lib_of(net):
    return ember if isinstance(net, ember.nn.Module) else torch


@pytest.mark.parametrize("name", sorted(DESCRIBE))
def test_module_structure(name):
    same_outcome(lambda lib: DESCRIBE[name](build_net(lib)))


def test_shared_module_is_saved_under_each_name():
    def describe(lib):
        shared = lib.nn.Linear(1, 1)
        model = lib.nn.Sequential(shared, shared)
        return (list(model.state_dict()), len(list(model.parameters())),
                _names(model.named_modules()))
    same_outcome(describe)


def test_module_to_dtype_keeps_parameter_objects():
    net = build_net(ember)
    weight = net.fc1.weight
    net.to(ember.float64)
    assert net.fc1.weight is weight and weight.dtype is ember.float64
    assert isinstance(weight, ember.nn.Parameter) and weight.requires_grad
    net.float()
    assert net.fc1.weight.dtype is ember.float32


MOVES = {
    "to_cpu": lambda lib: lib.nn.Linear(1, 1).to("cpu").weight.dtype,
    "to_device_and_dtype": lambda lib: lib.nn.Linear(1, 1).to(lib.device("cpu"),
                                                              lib.float64).weight.dtype,
    "to_keywords": lambda lib: lib.nn.Linear(1, 1).to(device="cpu",
                                                      dtype=lib.float64).weight.dtype,
    "to_tensor": lambda lib: lib.nn.Linear(1, 1).to(lib.ones(1, dtype=lib.float64)).weight.dtype,
    "half": lambda lib: lib.nn.Linear(2, 2).half()(lib.ones(2, dtype=lib.float16)).dtype,
    "int_buffer_kept": lambda lib: (lambda m: (m.register_buffer("i", lib.ones(1, dtype=lib.int64)),
                                               m.double(), m.i.dtype)[2])(lib.nn.Linear(1, 1)),
    "grad_converted": lambda lib: (lambda m: (m(lib.ones(1)).sum().backward(), m.double(),
                                              m.weight.grad.dtype)[2])(lib.nn.Linear(1, 1)),
    "to_cuda": lambda lib: lib.nn.Linear(1, 1).to("cuda"),
    "cuda": lambda lib: lib.nn.Linear(1, 1).cuda(),
}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_module_to(name):
    same_outcome(MOVES[name])


def test_zero_grad():
    def describe(lib):
        net = build_net(lib)
        net(lib.ones(2, 3)).sum().backward()
        had = [p.grad is not None for p in net.parameters()]
        net.zero_grad(set_to_none=False)
        zeroed = [None if p.grad is None else p.grad.abs().sum().item()
                  for p in net.parameters()]
        net.zero_grad()
        return had, zeroed, [p.grad is None for p in net.parameters()]
    same_outcome(describe)


ASSIGNMENTS = {
    "tensor_to_parameter": lambda lib, net: setattr(net, "scale", lib.ones(2)),
    "int_to_module": lambda lib, net: setattr(net, "fc1", 3),
    "int_to_buffer": lambda lib, net: setattr(net, "running", 3),
    "register_existing_attribute": lambda lib, net: net.register_buffer("fc1", lib.ones(1)),
    "register_dotted_buffer": lambda lib, net: net.register_buffer("a.b", lib.ones(1)),
    "register_empty_buffer_name": lambda lib, net: net.register_buffer("", lib.ones(1)),
    "register_int_buffer": lambda lib, net: net.register_buffer("b", 3),
    "register_tensor_parameter": lambda lib, net: net.register_parameter("p", lib.ones(1)),
    "register_dotted_parameter": lambda lib, net: net.register_parameter(
        "a.b", lib.nn.Parameter(lib.ones(1))),
    "add_non_module": lambda lib, net: net.add_module("m", 3),
    "add_dotted_module": lambda lib, net: net.add_module("a.b", lib.nn.ReLU()),
}


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_registration_errors(name):
    same_outcome(lambda lib: ASSIGNMENTS[name](lib, build_net(lib)))


def test_assigning_none_and_parameters():
    def describe(lib):
        net = build_net(lib)
        net.scale = None
        net.extra = lib.nn.Parameter(lib.zeros(2))
        net.fc1 = None
        return (_names(net.named_parameters()), repr(net.scale), _names(net.named_children()))
    same_outcome(describe)


# -- state dicts ------------------------------------------------------------------------------
def _drop_and_add(lib, sd):
    sd.pop("fc1.bias")
    sd["extra"] = lib.zeros(1)
    return sd


def _wrong_shape(lib, sd):
    sd["fc1.weight"] = lib.zeros(2, 2)
    return sd


def _everything_wrong(lib, sd):
    sd["fc1.weight"] = lib.zeros(2, 2)
    sd["seq.0.weight"] = lib.zeros(1)
    sd.pop("fc1.bias")
    sd.pop("running")
    sd["zzz"] = lib.ones(1)
    return sd


def _not_a_tensor(lib, sd):
    sd["fc1.weight"] = [1, 2]
    return sd


LOADS = {
    "round_trip": (lambda lib, sd: sd, True),
    "missing_and_unexpected": (_drop_and_add, True),
    "missing_and_unexpected_not_strict": (_drop_and_add, False),
    "size_mismatch": (_wrong_shape, True),
    "size_mismatch_not_strict": (_wrong_shape, False),
    "everything_wrong": (_everything_wrong, True),
    "not_a_tensor": (_not_a_tensor, True),
    "not_a_mapping": (lambda lib, sd: [1], True),
}


@pytest.mark.parametrize("name", sorted(LOADS))
def test_load_state_dict_messages(name):
    change, strict = LOADS[name]

    def load(lib):
        net = build_net(lib)
        result = net.load_state_dict(change(lib, net.state_dict()), strict=strict)
        return repr(result), str(result)
    same_outcome(load)


def test_load_state_dict_copies_values_in_place():
    def load(lib):
        net = build_net(lib)
        weight = net.fc1.weight
        net.load_state_dict({k: v + 1 for k, v in net.state_dict().items()})
        return (net.fc1.weight is weight, weight.requires_grad, weight.is_leaf,
                net.running.tolist(), np.round(weight.detach().numpy(), 6).tolist())
    same_outcome(load)


def test_state_dict_round_trip_between_libraries():
    """A state dict from PyTorch, as NumPy arrays, loads into ember and gives its outputs."""
    t_net = build_net(torch)
    e_net = build_net(ember)
    with torch.no_grad():
        for p in t_net.parameters():
            p.uniform_(-1, 1)
    e_net.load_state_dict({k: ember.from_numpy(v.numpy().copy())
                           for k, v in t_net.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(e_net(ember.from_numpy(x)).detach().numpy(),
                               t_net(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


# -- printing -----------------------------------------------------------------------------------
REPRS = {
    "linear": lambda nn, lib: nn.Linear(3, 4),
    "linear_no_bias": lambda nn, lib: nn.Linear(3, 4, bias=False),
    "empty_sequential": lambda nn, lib: nn.Sequential(),
    "sequential": lambda nn, lib: nn.Sequential(nn.Linear(1, 2), nn.ReLU()),
    "nested": lambda nn, lib: nn.Sequential(nn.Sequential(nn.Linear(1, 2)), nn.ReLU(True)),
    "named_sequential": lambda nn, lib: nn.Sequential(collections.OrderedDict(
        [("first", nn.Linear(1, 2)), ("act", nn.Tanh())])),
    "module_list_repeats": lambda nn, lib: nn.ModuleList([nn.Linear(2, 2) for _ in range(3)]),
    "module_list_runs": lambda nn, lib: nn.ModuleList(
        [nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)]),
    "module_list_two_runs": lambda nn, lib: nn.ModuleList(
        [nn.ReLU(), nn.ReLU(), nn.Tanh(), nn.Tanh(), nn.Tanh()]),
    "module_list_in_sequential": lambda nn, lib: nn.Sequential(nn.ModuleList([nn.ReLU()] * 2)),
    "empty_module_list": lambda nn, lib: nn.ModuleList(),
    "module_dict": lambda nn, lib: nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)}),
    "empty_module_dict": lambda nn, lib: nn.ModuleDict(),
    "identity": lambda nn, lib: nn.Identity(),
    "activations": lambda nn, lib: nn.Sequential(nn.Sigmoid(), nn.Tanh(), nn.ReLU()),
    "losses": lambda nn, lib: nn.Sequential(nn.MSELoss(), nn.L1Loss(reduction="sum")),
    "bare_module": lambda nn, lib: nn.Module(),
    "net": lambda nn, lib: build_net(lib),
    "parameter": lambda nn, lib: nn.Parameter(lib.ones(2)),
    "parameter_no_grad": lambda nn, lib: nn.Parameter(lib.ones(2), requires_grad=False),
    "parameter_scalar": lambda nn, lib: nn.Parameter(lib.tensor(1.5)),
    "parameter_float64": lambda nn, lib: nn.Parameter(lib.ones(2, dtype=lib.float64)),
    "parameter_empty": lambda nn, lib: nn.Parameter(),
    "parameter_matrix": lambda nn, lib: nn.Parameter(lib.arange(6.0).reshape(2, 3)),
}


@pytest.mark.parametrize("name", sorted(REPRS))
def test_repr(name):
    same_outcome(lambda lib: repr(REPRS[name](lib.nn, lib)))


def test_parameter_str():
    same_outcome(lambda lib: str(lib.nn.Parameter(lib.ones(2))))


# -- Parameter ----------------------------------------------------------------------------------
PARAMETERS = {
    "is_leaf": lambda lib: lib.nn.Parameter(lib.ones(2)).is_leaf,
    "of_non_leaf_is_leaf": lambda lib: lib.nn.Parameter(
        lib.ones(2, requires_grad=True) * 2).grad_fn,
    "arithmetic_gives_tensor": lambda lib: type(lib.nn.Parameter(lib.ones(2)) * 2).__name__,
    "detach_gives_tensor": lambda lib: type(lib.nn.Parameter(lib.ones(2)).detach()).__name__,
    "data_gives_tensor": lambda lib: type(lib.nn.Parameter(lib.ones(2)).data).__name__,
    "is_tensor": lambda lib: isinstance(lib.nn.Parameter(lib.ones(2)), lib.Tensor),
    "grad_fn_of_sum": lambda lib: lib.nn.Parameter(lib.ones(2)).sum().grad_fn.name(),
    "int_without_grad": lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64),
                                                     requires_grad=False).requires_grad,
    "int_with_grad": lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)),
    "not_a_tensor": lambda lib: lib.nn.Parameter([1.0]),
}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_parameter(name):
    same_outcome(PARAMETERS[name])


def test_parameter_shares_memory_with_its_data():
    data = ember.zeros(3)
    param = ember.nn.Parameter(data)
    data.add_(1)
    assert param.tolist() == [1.0, 1.0, 1.0]


# -- containers ------------------------------------------------------------------------------
def _seq(nn):
    return nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())


def _modlist(nn):
    return nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])


def _deleted(container, index):
    del container[index]
    return container


def _assigned(container, index, module):
    container[index] = module
    return container


def _added_in_place(container, modules):
    container += modules
    return container


CONTAINERS = {
    "seq_len": lambda nn: len(_seq(nn)),
    "seq_index": lambda nn: _seq(nn)[1],
    "seq_negative_index": lambda nn: _seq(nn)[-1],
    "seq_index_out_of_range": lambda nn: _seq(nn)[5],
    "seq_negative_out_of_range": lambda nn: _seq(nn)[-4],
    "seq_string_index": lambda nn: _seq(nn)["a"],
    "seq_slice": lambda nn: _seq(nn)[1:],
    "seq_slice_type": lambda nn: type(_seq(nn)[:1]).__name__,
    "seq_empty_slice": lambda nn: _seq(nn)[0:0],
    "seq_named_slice": lambda nn: nn.Sequential(collections.OrderedDict(
        [("a", nn.ReLU()), ("b", nn.Tanh())]))[1:],
    "seq_iter": lambda nn: [type(m).__name__ for m in _seq(nn)],
    "seq_append": lambda nn: _seq(nn).append(nn.Identity()),
    "seq_insert_front": lambda nn: _seq(nn).insert(0, nn.Identity()),
    "seq_insert_negative": lambda nn: _seq(nn).insert(-1, nn.Identity()),
    "seq_insert_end": lambda nn: _seq(nn).insert(3, nn.Identity()),
    "seq_insert_out_of_range": lambda nn: _seq(nn).insert(5, nn.Identity()),
    "seq_insert_non_module": lambda nn: type(outcome(lambda: _seq(nn).insert(0, 3))).__name__,
    "seq_extend": lambda nn: _seq(nn).extend([nn.Identity()]),
    "seq_pop": lambda nn: (lambda s: (s.pop(0), s))(_seq(nn)),
    "seq_delete_renumbers": lambda nn: _deleted(_seq(nn), 0),
    "seq_delete_slice": lambda nn: _deleted(_seq(nn), slice(0, 2)),
    "seq_setitem": lambda nn: _assigned(_seq(nn), -1, nn.Identity()),
    "seq_add": lambda nn: _seq(nn) + nn.Sequential(nn.Identity()),
    "seq_add_list": lambda nn: _seq(nn) + [nn.Identity()],
    "seq_mul": lambda nn: nn.Sequential(nn.ReLU()) * 2,
    "seq_mul_zero": lambda nn: type(outcome(lambda: nn.Sequential(nn.ReLU()) * 0)).__name__,
    "seq_of_dict": lambda nn: nn.Sequential({"a": nn.ReLU()}),
    "seq_of_non_module": lambda nn: nn.Sequential(nn.ReLU(), 3),
    "list_len": lambda nn: len(_modlist(nn)),
    "list_index": lambda nn: _modlist(nn)[-1],
    "list_index_out_of_range": lambda nn: _modlist(nn)[5],
    "list_slice": lambda nn: _modlist(nn)[::2],
    "list_append": lambda nn: _modlist(nn).append(nn.Identity()),
    "list_extend": lambda nn: _modlist(nn).extend([nn.Identity()]),
    "list_extend_non_iterable": lambda nn: _modlist(nn).extend(3),
    "list_of_non_iterable": lambda nn: nn.ModuleList(3),
    "list_insert": lambda nn: (lambda m: (m.insert(1, nn.Identity()), m))(_modlist(nn)),
    "list_pop": lambda nn: (lambda m: (m.pop(0), m))(_modlist(nn)),
    "list_delete_slice": lambda nn: _deleted(_modlist(nn), slice(None, None, 2)),
    "list_setitem": lambda nn: _assigned(_modlist(nn), -1, nn.Identity()),
    "list_add": lambda nn: _modlist(nn) + [nn.Identity()],
    "list_iadd": lambda nn: _added_in_place(_modlist(nn), [nn.Identity()]),
    "dict_keys": lambda nn: list(nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})),
    "dict_items": lambda nn: list(nn.ModuleDict({"b": nn.ReLU()}).items()),
    "dict_values": lambda nn: list(nn.ModuleDict({"b": nn.ReLU()}).values()),
    "dict_contains": lambda nn: "b" in nn.ModuleDict({"b": nn.ReLU()}),
    "dict_missing": lambda nn: nn.ModuleDict({"a": nn.ReLU()})["b"],
    "dict_pop": lambda nn: (lambda d: (d.pop("a"), d))(nn.ModuleDict({"a": nn.ReLU()})),
    "dict_update": lambda nn: (lambda d: (d.update({"c": nn.Tanh()}), d))(
        nn.ModuleDict({"b": nn.ReLU()})),
    "dict_from_pairs": lambda nn: nn.ModuleDict([("a", nn.ReLU())]),
    "dict_bad_pair": lambda nn: nn.ModuleDict([("a",)]),
    "dict_non_iterable": lambda nn: nn.ModuleDict(3),
    "dict_non_pair": lambda nn: nn.ModuleDict([3]),
    "dict_clear": lambda nn: (lambda d: (d.clear(), len(d)))(nn.ModuleDict({"a": nn.ReLU()})),
}


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_containers(name):
    same_outcome(lambda lib: repr(CONTAINERS[name](lib.nn)))


def test_sequential_forward_and_parameters():
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)

    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.ReLU(), lib.nn.Linear(5, 2),
                                  lib.nn.Sigmoid())
        out = model(lib.from_numpy(x.copy()))
        out.sum().backward()
        return out, [p.grad for p in model.parameters()]
    (e_out, e_grads), (t_out, t_grads) = run(ember), run(torch)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5)
    assert e_out.grad_fn.name() == t_out.grad_fn.name()
    for e, t in zip(e_grads, t_grads):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


# -- Linear ------------------------------------------------------------------------------------
def _random(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3), (2, 2, 2, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear(shape, bias):
    w = _random((4, 3), 1)
    if bias:
        check_op(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), _random(shape, 0), w,
                 _random((4,), 2))
    else:
        check_op(lambda lib, x, w: lib.nn.functional.linear(x, w), _random(shape, 0), w)


def test_functional_linear_float64():
    check_op(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
             _random((5, 3), 0).astype(np.float64), _random((2, 3), 1).astype(np.float64),
             _random((2,), 2).astype(np.float64))


def _copied_linear(lib, weight, bias):
    layer = lib.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    with lib.no_grad():
        layer.weight.copy_(lib.from_numpy(weight.copy()))
        if bias is not None:
            layer.bias.copy_(lib.from_numpy(bias.copy()))
    return layer


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module_forward_and_parameter_grads(shape, bias):
    weight, b = _random((4, 3), 1), (_random((4,), 2) if bias else None)
    x = _random(shape, 0)
    results = {}
    for lib in (ember, torch):
        layer = _copied_linear(lib, weight, b)
        inp = lib.from_numpy(x.copy()).requires_grad_()
        out = layer(inp)
        (out * lib.from_numpy(_random(out.shape, 3))).sum().backward()
        grads = [layer.weight.grad] + ([layer.bias.grad] if bias else []) + [inp.grad]
        results[lib.__name__] = (out, grads)
    (e_out, e_grads), (t_out, t_grads) = results["ember"], results["torch"]
    assert e_out.grad_fn.name() == t_out.grad_fn.name()
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    for e, t in zip(e_grads, t_grads):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_linear_attributes_and_init_match_torch_after_seed():
    def describe(lib):
        lib.manual_seed(3)
        layer = lib.nn.Linear(5, 3)
        return (layer.in_features, layer.out_features, layer.weight.tolist(), layer.bias.tolist(),
                repr(layer.weight.dtype), layer.extra_repr(),
                repr(lib.nn.Linear(2, 2, dtype=lib.float64).weight.dtype),
                lib.nn.Linear(3, 4, bias=False).bias)
    same_outcome(describe)


LINEAR_ERRORS = {
    "wrong_in_features": lambda lib: lib.nn.Linear(3, 2)(lib.ones(2, 4)),
    "weight_mismatch": lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 2)),
    "bias_mismatch": lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3),
                                                          lib.ones(3)),
    "scalar_input": lambda lib: lib.nn.Linear(1, 2)(lib.tensor(1.0)),
}


@pytest.mark.parametrize("name", sorted(LINEAR_ERRORS))
def test_linear_errors(name):
    check_error(LINEAR_ERRORS[name])


# -- activations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh", "Identity"])
def test_activation_modules(name):
    check_op(lambda lib, x: getattr(lib.nn, name)()(x), _random((3, 4), 0))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_functions(name):
    check_op(lambda lib, x: getattr(lib.nn.functional, name)(x), _random((3, 4), 0))


# -- losses --------------------------------------------------------------------------------------
LOSSES = {
    "mse": lambda lib: lib.nn.functional.mse_loss,
    "l1": lambda lib: lib.nn.functional.l1_loss,
    "MSELoss": lambda lib: lambda x, y, reduction: lib.nn.MSELoss(reduction=reduction)(x, y),
    "L1Loss": lambda lib: lambda x, y, reduction: lib.nn.L1Loss(reduction=reduction)(x, y),
}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_value_grad_fn_and_gradients(loss, reduction, dtype):
    x, y = _random((3, 4), 0).astype(dtype), _random((3, 4), 1).astype(dtype)
    check_op(lambda lib, x, y: LOSSES[loss](lib)(x, y, reduction=reduction), x, y)


@pytest.mark.parametrize("loss", ["mse", "l1"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_losses_broadcast_with_warning(loss, reduction):
    def run(lib, x, y):
        with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[1, 4\]\)\) "
                          r"that is different to the input size \(torch.Size\(\[3, 4\]\)\)"):
            return LOSSES[loss](lib)(x, y, reduction=reduction)
    check_op(run, _random((3, 4), 0), _random((1, 4), 1))


@pytest.mark.parametrize("loss", ["mse", "l1"])
def test_losses_with_weight(loss):
    check_op(lambda lib, x, y, w: LOSSES[loss](lib)(x, y, weight=w), _random((3, 4), 0),
             _random((3, 4), 1), np.abs(_random((3, 4), 2)))


@pytest.mark.parametrize("loss", ["mse", "l1"])
def test_losses_mixed_dtypes_and_empty(loss):
    check_op(lambda lib, x, y: LOSSES[loss](lib)(x, y), _random((3,), 0),
             _random((3,), 1).astype(np.float64))
    same_outcome(lambda lib: str(LOSSES[loss](lib)(lib.ones(0), lib.ones(0))))


@pytest.mark.filterwarnings("ignore:size_average and reduce args")
@pytest.mark.parametrize("legacy, reduction", [({"size_average": False}, "sum"),
                                               ({"reduce": False}, "none"),
                                               ({"size_average": True, "reduce": True}, "mean")])
@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss"])
def test_legacy_reduction_flags_warn(legacy, reduction, loss):
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead"):
            module = getattr(lib.nn, loss)(**legacy)
        assert module.reduction == reduction
    check_op(lambda lib, x, y: LOSSES[loss.lower()[:-4]](lib)(x, y, **legacy),
             _random((2, 3), 0), _random((2, 3), 1))


LOSS_ERRORS = {
    "bad_reduction": lambda lib: lib.nn.functional.mse_loss(lib.ones(2), lib.ones(2),
                                                            reduction="bad"),
    "bad_reduction_l1": lambda lib: lib.nn.functional.l1_loss(lib.ones(2), lib.ones(2),
                                                              reduction="bad"),
    "bad_reduction_module": lambda lib: lib.nn.MSELoss(reduction="bad")(lib.ones(2),
                                                                         lib.ones(2)),
    "not_broadcastable": lambda lib: lib.nn.functional.mse_loss(lib.ones(2), lib.ones(3)),
    "target_not_tensor": lambda lib: lib.nn.functional.mse_loss(lib.ones(2), 3),
    "integer_mse": lambda lib: lib.nn.functional.mse_loss(lib.ones(2, dtype=lib.int64),
                                                          lib.ones(2, dtype=lib.int64)),
    "integer_l1_mean": lambda lib: lib.nn.functional.l1_loss(lib.ones(2, dtype=lib.int64),
                                                             lib.ones(2, dtype=lib.int64)),
    "weight_wrong_size": lambda lib: lib.nn.functional.mse_loss(lib.ones(2), lib.ones(2),
                                                                weight=lib.ones(3)),
    "weight_bad_reduction": lambda lib: lib.nn.functional.l1_loss(
        lib.ones(2), lib.ones(2), weight=lib.ones(2), reduction="bad"),
}


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("name", sorted(LOSS_ERRORS))
def test_loss_errors(name):
    check_error(LOSS_ERRORS[name])


def test_loss_module_accepts_bad_reduction_until_called():
    for lib in (ember, torch):
        assert repr(lib.nn.MSELoss(reduction="bad")) == "MSELoss()"


# -- init -----------------------------------------------------------------------------------------
INITS = {  # name: (function, shape, arguments)
    "uniform": ("uniform_", (6, 4), (-2.0, 5.0)),
    "normal": ("normal_", (6, 4), (1.0, 3.0)),
    "constant": ("constant_", (6, 4), (0.3,)),
    "ones": ("ones_", (6, 4), ()),
    "zeros": ("zeros_", (6, 4), ()),
    "eye": ("eye_", (3, 5), ()),
    "dirac": ("dirac_", (4, 2, 3), ()),
    "xavier_uniform": ("xavier_uniform_", (6, 4), (2.0,)),
    "xavier_normal": ("xavier_normal_", (6, 4, 3), ()),
    "kaiming_uniform": ("kaiming_uniform_", (6, 4), (0.1, "fan_in", "leaky_relu")),
    "kaiming_normal": ("kaiming_normal_", (6, 4, 2), (0, "fan_out", "relu")),
    "trunc_normal": ("trunc_normal_", (60, 40), ()),
    "trunc_normal_narrow": ("trunc_normal_", (60, 40), (0.0, 1.0, -0.1, 0.1)),
    "trunc_normal_shifted": ("trunc_normal_", (60, 40), (0.5, 0.2, 0.0, 1.0)),
}


@pytest.mark.parametrize("name", sorted(INITS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_draws_match_torch_bit_for_bit(name, dtype):
    """ember's generator is PyTorch's, so the initialisers give the very same values."""
    function, shape, args = INITS[name]

    def draw(lib):
        lib.manual_seed(7)
        t = lib.empty(*shape, dtype=getattr(lib, dtype))
        result = getattr(lib.nn.init, function)(t, *args)
        assert result is t
        return t.numpy()
    np.testing.assert_array_equal(draw(ember), draw(torch))


def test_init_statistics():
    ember.manual_seed(0)
    w = ember.empty(200, 300)
    ember.nn.init.kaiming_uniform_(w, a=5 ** 0.5)
    bound = 1 / 300 ** 0.5
    assert w.abs().max().item() <= bound and w.abs().max().item() > 0.99 * bound
    ember.nn.init.xavier_normal_(w)
    assert abs(w.std().item() - (2 / 500) ** 0.5) < 0.002 and abs(w.mean().item()) < 0.002
    ember.nn.init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    assert w.abs().max().item() <= 0.04
    ember.nn.init.orthogonal_(w)
    product = (w @ w.t()).numpy()
    np.testing.assert_allclose(product, np.eye(200), atol=1e-5)


def test_orthogonal_matches_torch_closely():
    """Same normal draw; only LAPACK's QR may differ, in the last bits."""
    def draw(lib, shape):
        lib.manual_seed(1)
        return lib.nn.init.orthogonal_(lib.empty(*shape), gain=2.0).numpy()
    for shape in [(6, 4), (4, 6), (3, 2, 4)]:
        np.testing.assert_allclose(draw(ember, shape), draw(torch, shape), atol=1e-5)


GAINS = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
         "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", GAINS)
@pytest.mark.parametrize("param", [None, 0.2, 1])
def test_calculate_gain(nonlinearity, param):
    same_outcome(lambda lib: (lambda g: (g, type(g).__name__))(
        lib.nn.init.calculate_gain(nonlinearity, param)))


INIT_ERRORS = {
    "fan_of_vector": lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    "bad_mode": lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 2), mode="bad"),
    "bad_nonlinearity": lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3, 2),
                                                                nonlinearity="bad"),
    "eye_of_3d": lambda lib: lib.nn.init.eye_(lib.empty(3, 2, 2)),
    "dirac_of_2d": lambda lib: lib.nn.init.dirac_(lib.empty(3, 2)),
    "dirac_bad_groups": lambda lib: lib.nn.init.dirac_(lib.zeros(3, 2, 3), groups=2),
    "orthogonal_of_vector": lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
    "gain_bool_slope": lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    "gain_string_slope": lambda lib: lib.nn.init.calculate_gain("leaky_relu", "a"),
    "gain_unknown": lambda lib: lib.nn.init.calculate_gain("gelu"),
}


@pytest.mark.parametrize("name", sorted(INIT_ERRORS))
def test_init_errors(name):
    check_error(INIT_ERRORS[name])


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_init_of_empty_tensor_warns(name):
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            getattr(lib.nn.init, name)(lib.empty(0, 3))


def test_trunc_normal_warns_when_mean_is_far():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="mean is more than 2 std from"):
            lib.nn.init.trunc_normal_(lib.empty(4), mean=5.0)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("sparsity", [0.1, 0.5])
def test_init_sparse_matches_torch(seed, sparsity):
    torch.manual_seed(seed)
    theirs = torch.nn.init.sparse_(torch.empty(7, 5), sparsity, std=0.5)
    ember.manual_seed(seed)
    ours = ember.nn.init.sparse_(ember.empty(7, 5), sparsity, std=0.5)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        ember.nn.init.sparse_(ember.empty(3), 0.1)


def test_init_deprecated_names_warn_and_work():
    with pytest.warns(FutureWarning, match="nn.init.xavier_uniform` is now deprecated"):
        ember.manual_seed(0)
        ours = ember.nn.init.xavier_uniform(ember.empty(3, 4))
    torch.manual_seed(0)
    np.testing.assert_array_equal(ours.numpy(), torch.nn.init.xavier_uniform_(
        torch.empty(3, 4)).numpy())
