"""PyTorch's convention for gradients of complex tensors, applied to the holomorphic ops.

For a real loss L of a complex z, PyTorch's ``z.grad`` is the conjugate Wirtinger
derivative, so a holomorphic op ``w = f(z)`` passes back ``grad * conj(f'(z))``
(``mul``: ``grad * other.conj()``). ember's derivative formulas are written once, as for
real numbers (``grad * other``). For those ops, conjugating the incoming gradient and the
outgoing ones gives PyTorch's: ``conj(conj(grad) * f'(z)) == grad * conj(f'(z))``.

``record`` swaps in a conjugating twin of the node class (same name, so ``grad_fn`` reads
the same) only when the op's result is complex: real graphs never see it. Ops that are not
holomorphic (``abs``, ``angle``, ``real``, ``imag``, ``conj``, ``vdot``...), and the linear
algebra written with conjugate transposes (``inv``, ``solve``, ``det``), state PyTorch's
complex derivatives themselves and are not listed.
"""

from .tensor_info import conj

# Nodes whose derivative formula is f'(z) written as for real numbers.
HOLOMORPHIC = frozenset("""
    AddBackward0 AddBackward1 SubBackward0 SubBackward1 RsubBackward0 RsubBackward1
    MulBackward0 MulBackward1 DivBackward0 DivBackward1 DivBackward2
    ExpBackward0 Exp2Backward0 Expm1Backward0 LogBackward0 Log2Backward0 Log10Backward0
    Log1PBackward0 SinBackward0 CosBackward0 TanBackward0 SinhBackward0 CoshBackward0
    TanhBackward0 AsinBackward0 AcosBackward0 AtanBackward0 AsinhBackward0 AsinhBackward1
    AcoshBackward0 AcoshBackward1 AtanhBackward0 AtanhBackward1 SqrtBackward0 RsqrtBackward0
    ReciprocalBackward0 PowBackward0 PowBackward1 PowBackward2 SigmoidBackward0
    MmBackward0 BmmBackward0 MvBackward0 DotBackward0 MatmulBackward AddmmBackward0
    AddmvBackward0 AddbmmBackward0 BaddbmmBackward0 AddrBackward0 AddcmulBackward0
    AddcdivBackward0 _ProdBackward CumprodBackward0 KronBackward _Contraction
""".split())


def _conjugated(value):
    if value is None:
        return None
    if type(value) is tuple or type(value) is list:
        return tuple(None if g is None else conj(g) for g in value)
    return conj(value)


def _twin(cls):
    """A subclass of ``cls`` with its name whose derivative follows PyTorch's convention."""
    formula = cls.backward

    def backward(self, *grads):
        return _conjugated(formula(self, *[None if g is None else conj(g) for g in grads]))

    backward.__doc__ = "The real-number formula between conjugations (see ops._complex_grad)."
    return type(cls.__name__, (cls,), {"__slots__": (), "backward": backward,
                                       "__module__": cls.__module__,
                                       "__qualname__": cls.__qualname__,
                                       "__doc__": cls.__doc__, "_complex_twin": None})


def install(op_base):
    """Give every node class whose derivative is a listed formula its twin
    (``cls._complex_twin``); the formula is the ``backward`` the class inherits, so
    renamed subclasses (einsum's ``ViewBackward0``) follow their family."""
    stack = list(op_base.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        owner = next(c for c in cls.__mro__ if "backward" in c.__dict__)
        if owner.__name__ in HOLOMORPHIC and "_complex_twin" not in cls.__dict__:
            cls._complex_twin = _twin(cls)
