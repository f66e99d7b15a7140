"""autograd.Function, autograd.functional, anomaly detection and hook order, each run on
ember and on PyTorch and compared (the Function examples are PyTorch's documented ones)."""

import warnings

import numpy as np
import pytest

import ember
from oracle import assert_same_tensor, torch


def both(fn):
    return fn(ember), fn(torch)


def same(e, t, **kw):
    if isinstance(t, (tuple, list)):
        assert isinstance(e, type(t)) and len(e) == len(t)
        for ei, ti in zip(e, t):
            same(ei, ti, **kw)
    elif isinstance(t, torch.Tensor):
        assert_same_tensor(e, t, **kw)
    else:
        assert e == t


X = np.array([0.5, -1.25, 2.0], dtype=np.float64)


# -- Function: PyTorch's documented examples -------------------------------------------------

def _exp(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result
    return Exp


def test_exp_example():
    def run(lib):
        x = lib.tensor(X, requires_grad=True)
        y = _exp(lib).apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return y, g, gg, y.grad_fn.name(), type(y.grad_fn).__name__, repr(y.grad_fn)[:35]
    e, t = both(run)
    same(e, t)
    assert e[3] == "ExpBackward"


def test_setup_context_style_and_defaults():
    def run(lib):
        class Mul(lib.autograd.Function):
            @staticmethod
            def forward(x, k=2.0):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.k = k
                ctx.save_for_backward(x)

            @staticmethod
            def backward(ctx, grad):
                return grad * ctx.k, None
        x = lib.tensor(X, requires_grad=True)
        y1 = Mul.apply(x)
        y2 = Mul.apply(x, k=3.0)
        (g,) = lib.autograd.grad((y1 + y2).sum(), x)
        return y1, y2, g, y1.grad_fn.name()
    same(*both(run))


def test_needs_input_grad_non_tensor_args_and_next_functions():
    def run(lib):
        seen = []

        class Linear(lib.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None, scale=1.0):
                seen.append(ctx.needs_input_grad)
                ctx.save_for_backward(input, weight, bias)
                ctx.scale = scale
                out = input.mm(weight.t()) * scale
                return out + bias.unsqueeze(0).expand_as(out) if bias is not None else out

            @staticmethod
            def backward(ctx, grad_output):
                input, weight, bias = ctx.saved_tensors
                grad_input = grad_weight = grad_bias = None
                grad_output = grad_output * ctx.scale
                if ctx.needs_input_grad[0]:
                    grad_input = grad_output.mm(weight)
                if ctx.needs_input_grad[1]:
                    grad_weight = grad_output.t().mm(input)
                if bias is not None and ctx.needs_input_grad[2]:
                    grad_bias = grad_output.sum(0)
                return grad_input, grad_weight, grad_bias, None

        rng = np.random.default_rng(0)
        x = lib.tensor(rng.standard_normal((4, 3)))
        w = lib.tensor(rng.standard_normal((2, 3)), requires_grad=True)
        b = lib.tensor(rng.standard_normal(2), requires_grad=True)
        y = Linear.apply(x, w, b, 0.5)
        edges = [None if n is None else type(n).__name__ for n, _ in y.grad_fn.next_functions]
        y.sum().backward()
        with lib.no_grad():
            z = Linear.apply(x, w, b)
        return y, w.grad, b.grad, seen, edges, z.requires_grad, z.grad_fn is None
    e, t = both(run)
    same(e, t)
    assert e[3] == [(False, True, True, False), (False, True, True)]


def test_mark_non_differentiable_and_materialized_zeros():
    def run(lib):
        received = []

        class Func(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                index = (x > 0).long()
                ctx.mark_non_differentiable(index)
                return x * 2, index

            @staticmethod
            def backward(ctx, g1, g2):
                received.append(g2)
                return g1 * 2
        x = lib.tensor(X, requires_grad=True)
        out, index = Func.apply(x)
        out.sum().backward()
        return out, index, index.requires_grad, x.grad, received[0]
    same(*both(run))


def test_set_materialize_grads_false_and_output_nr():
    def run(lib):
        received = []

        class SimpleFunc(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                ctx.save_for_backward(x)
                return x.clone(), 7, x.clone()

            @staticmethod
            def backward(ctx, g1, g2, g3):
                received.append((g1 is None, g2 is None, g3 is None))
                (x,) = ctx.saved_tensors
                grad = x * 0
                if g1 is not None:
                    grad = grad + g1
                if g3 is not None:
                    grad = grad + 2 * g3
                return grad
        x = lib.tensor(X, requires_grad=True)
        a, n, c = SimpleFunc.apply(x)
        a.sum().backward(retain_graph=True)
        c.sum().backward()
        return x.grad, n, a.output_nr, c.output_nr, received
    e, t = both(run)
    same(e, t)
    assert e[4] == [(False, True, True), (True, True, False)]


def test_mark_dirty():
    def run(lib):
        class Inplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        a = lib.tensor(X, requires_grad=True)
        b = a * 1
        c = Inplace.apply(b)
        version = b._version
        c.sum().backward()
        try:
            Inplace.apply(a)
        except RuntimeError as error:
            message = str(error)
        return c is b, b.grad_fn.name(), version, a.grad, message
    same(*both(run))


def test_returned_input_and_saved_output_version_check():
    def run(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad

        x = lib.tensor(X, requires_grad=True)
        y = Identity.apply(x)
        aliases = (y is x, y.data_ptr() == x.data_ptr(), y.grad_fn.name())
        Exp = _exp(lib)
        z = Exp.apply(x)
        z.mul_(2)
        try:
            z.sum().backward()
        except RuntimeError as error:
            message = str(error)
        w = Exp.apply(x)
        w.sum().backward()
        try:
            freed = len(w.grad_fn.saved_tensors)
        except RuntimeError as error:
            freed = str(error)
        return aliases, message, freed
    same(*both(run))


def test_once_differentiable():
    def run(lib):
        from_module = __import__(lib.__name__ + ".autograd.function", fromlist=["x"])

        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @from_module.once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 * x
        x = lib.tensor(X, requires_grad=True)
        y = Square.apply(x)
        v = lib.ones(3, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(y, x, v, create_graph=True)
        try:
            g.sum().backward()
        except RuntimeError as error:
            message = str(error)
        (plain,) = lib.autograd.grad(Square.apply(x).sum(), x)
        return g, g.grad_fn.name(), message, plain
    same(*both(run))


@pytest.mark.parametrize("case", ["count", "shape", "non_tensor", "type", "both", "missing"])
def test_bad_backward_errors(case):
    def run(lib):
        backward = {
            "count": lambda ctx, g: (g, g),
            "shape": lambda ctx, g: g[:2],
            "non_tensor": lambda ctx, g: (g, g),
            "type": lambda ctx, g: 3,
            "both": lambda ctx, g: g,
            "missing": None,
        }[case]
        body = {"forward": staticmethod(lambda ctx, x, k=None: x * 2)}
        if backward is not None:
            body["backward"] = staticmethod(backward)
        if case == "both":
            body["vjp"] = staticmethod(backward)
        Bad = type("Bad", (lib.autograd.Function,), body)
        x = lib.tensor(X, requires_grad=True)
        args = (x, 2) if case == "non_tensor" else (x,)
        try:
            Bad.apply(*args).sum().backward()
        except (RuntimeError, NotImplementedError) as error:
            return type(error).__name__, str(error)
    same(*both(run))


def test_function_misuse_errors():
    def run(lib):
        Exp = _exp(lib)
        out = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            instance = Exp()
        out.append(caught[0].category.__name__)
        try:
            instance(lib.ones(1))
        except RuntimeError as error:
            out.append(str(error))

        class SaveInt(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x

        try:
            SaveInt.apply(lib.ones(1, requires_grad=True))
        except TypeError as error:
            out.append(str(error))
        return out
    same(*both(run))


def test_function_passes_gradcheck():
    x = ember.tensor(X, requires_grad=True)
    Exp = _exp(ember)
    assert ember.autograd.gradcheck(Exp.apply, (x,))
    assert ember.autograd.gradgradcheck(Exp.apply, (x,))


# -- autograd.functional ---------------------------------------------------------------------

def _f(a, b):
    return (a.exp() * b).sum(), a * b


@pytest.mark.parametrize("create_graph", [False, True])
def test_functional_matches_torch(create_graph):
    rng = np.random.default_rng(1)
    a_np, b_np, v_np = (rng.standard_normal(3) for _ in range(3))

    def run(lib):
        F = lib.autograd.functional
        a, b, v = (lib.tensor(z) for z in (a_np, b_np, v_np))
        def scalar(x):
            return (x ** 3 * x.exp()).sum()
        kw = {"create_graph": create_graph}
        return (F.jacobian(lambda x: x.exp() * 2, a, **kw),
                F.jacobian(_f, (a, b), **kw),
                F.jacobian(lambda x: x.sum(), a, vectorize=True, **kw),
                F.hessian(scalar, a, **kw),
                F.hessian(lambda x, y: (x * x * y).sum(), (a, b), **kw),
                F.vjp(lambda x: x.exp(), a, v, **kw),
                F.vjp(lambda x: x.exp().sum(), a, **kw),
                F.jvp(lambda x: x.exp(), a, v, **kw),
                F.hvp(scalar, a, v, **kw),
                F.vhp(scalar, a, v, **kw),
                F.vjp(lambda x, y: x * 2, (a, b), v, **kw))
    same(*both(run))


def test_functional_create_graph_is_differentiable():
    def run(lib):
        a = lib.tensor(X, requires_grad=True)
        jac = lib.autograd.functional.jacobian(lambda x: x.exp() * x, a, create_graph=True)
        (g,) = lib.autograd.grad(jac.sum(), a)
        _, hv = lib.autograd.functional.hvp(lambda x: (x ** 3).sum(), a, a, create_graph=True)
        (g2,) = lib.autograd.grad(hv.sum(), a)
        return jac.requires_grad, g, g2
    same(*both(run))


@pytest.mark.parametrize("case", ["strict", "not_tensor", "v_size", "v_none", "hessian_tuple",
                                  "strict_vectorize"])
def test_functional_errors(case):
    def run(lib):
        F = lib.autograd.functional
        a = lib.tensor(X)
        calls = {
            "strict": lambda: F.jacobian(lambda x: x.detach() * 2, a, strict=True),
            "not_tensor": lambda: F.vjp(lambda x: x, (a, 3)),
            "v_size": lambda: F.vjp(lambda x: x, a, lib.ones(2, dtype=lib.float64)),
            "v_none": lambda: F.jvp(lambda x: x, a),
            "hessian_tuple": lambda: F.hessian(lambda x: (x.sum(), x.sum()), a),
            "strict_vectorize": lambda: F.jacobian(lambda x: x * 2, a, strict=True,
                                                   vectorize=True),
        }
        try:
            calls[case]()
        except (RuntimeError, TypeError) as error:
            return type(error).__name__, str(error).replace("torch.", "").replace("ember.", "")
    same(*both(run))


# -- anomaly detection -----------------------------------------------------------------------

def test_detect_anomaly_nan_message_and_trace():
    def run(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        messages = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="ignore"):
                with lib.autograd.detect_anomaly():
                    states = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
                    z = (x * 0).sqrt()  # the forward line the warning must name
                    try:
                        z.sum().backward()
                    except RuntimeError as error:
                        messages.append(str(error))
                with lib.autograd.detect_anomaly(check_nan=False):
                    (x * 0).sqrt().sum().backward()
        texts = [str(w.message).split(" (Triggered internally")[0] for w in caught
                 if issubclass(w.category, UserWarning)
                 and not issubclass(w.category, RuntimeWarning)]
        return messages, states, lib.is_anomaly_enabled(), texts
    e, t = both(run)
    assert e[:3] == t[:3]
    assert e[0] == ["Function 'MulBackward0' returned nan values in its 0th output."]
    assert e[3][0] == t[3][0]  # "Anomaly Detection has been enabled..."
    assert e[3][1] == t[3][1]  # "Error detected in MulBackward0. Traceback ..." (this file)
    assert "z = (x * 0).sqrt()" in e[3][1]


def test_set_detect_anomaly_and_custom_function_nan():
    def run(lib):
        class NanGrad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, grad):
                return grad * float("nan")
        x = lib.tensor(X, requires_grad=True)
        states = []
        with lib.autograd.set_detect_anomaly(True):
            states.append(lib.is_anomaly_enabled())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    NanGrad.apply(x).sum().backward()
                except RuntimeError as error:
                    message = str(error)
        states.append(lib.is_anomaly_enabled())
        lib.autograd.set_detect_anomaly(True, check_nan=False)
        states.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        lib.autograd.set_detect_anomaly(False)
        NanGrad.apply(x).sum().backward()
        return message, states, x.grad
    same(*both(run))


# -- hook order ------------------------------------------------------------------------------

def _hook_events(lib):
    events = []

    def log(name, value):
        events.append((name, np.round(np.asarray(value.detach().tolist(), float), 4).tolist()))

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: log("x hook1", g))
    x.register_post_accumulate_grad_hook(lambda t: log("x post", t.grad))
    x.register_hook(lambda g: (log("x hook2", g), g + 1)[1])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: (log("y hook", g), g * 3)[1])
    y.grad_fn.register_prehook(lambda go: log("y prehook", go[0]))
    y.grad_fn.register_hook(lambda gi, go: log("y post gi", gi[0]) or log("y post go", go[0]))
    y.register_hook(lambda g: log("y hook2", g))
    w = y.exp()
    w.grad_fn.register_prehook(lambda go: (log("w prehook", go[0]), (go[0] * 2,))[1])
    w.register_hook(lambda g: log("w hook", g))
    w.sum().backward()
    log("y.grad", y.grad)
    log("x.grad", x.grad)
    handle = x.register_hook(lambda g: log("removed", g))
    handle.remove()
    (x * 1).sum().backward()
    log("x.grad again", x.grad)
    return events


def test_hook_order_matches_torch():
    e, t = both(_hook_events)
    assert e == t


def test_hooks_on_function_nodes():
    def run(lib):
        events = []
        x = lib.tensor(X, requires_grad=True)
        y = _exp(lib).apply(x)
        y.grad_fn.register_prehook(lambda go: events.append("pre"))
        y.grad_fn.register_hook(lambda gi, go: events.append("post") or (gi[0] * 0,))
        y.register_hook(lambda g: events.append("tensor"))
        y.sum().backward()
        return events, x.grad
    same(*both(run))
