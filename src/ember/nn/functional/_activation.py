"""Activation functions of ``nn.functional``."""

from ... import ops

__all__ = ["relu", "sigmoid", "tanh"]


relu = ops.unary.relu
sigmoid = ops.unary.sigmoid
tanh = ops.unary.tanh
