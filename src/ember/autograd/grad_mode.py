"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work both as
context managers and as decorators. The flag lives in ``_state.enabled`` so the op
hot path reads one attribute.
"""

import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _GradState(threading.local):
    def __init__(self):
        self.enabled = True
        self.inference = False


_state = _GradState()


def is_grad_enabled():
    return _state.enabled


def is_inference_mode_enabled():
    return _state.inference


class _GradModeContext:
    """Base of the grad-mode context managers; subclasses say which mode they set."""

    _mode = True

    def __enter__(self):
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def __call__(self, func):
        """Use as a decorator: run ``func`` (or each step of a generator) in this mode."""
        if inspect.isclass(func):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    value = next(gen)
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        gen.close()
                        raise
                    with self.clone():
                        try:
                            value = gen.send(sent)
                        except StopIteration as stop:
                            return stop.value
            return generator_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradModeContext):
    """Disable graph recording: results of ops have ``requires_grad=False``."""

    _mode = False

    def __init__(self, orig_func=None):
        pass

    def __new__(cls, orig_func=None):
        # Allows the bare-decorator spelling `@no_grad` as well as `@no_grad()`.
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            return self(orig_func)
        return self


class enable_grad(no_grad):
    """Enable graph recording inside a ``no_grad`` region (not inside inference mode)."""

    _mode = True

    def __enter__(self):
        self._prev = _state.enabled
        _state.enabled = not _state.inference


class set_grad_enabled(_GradModeContext):
    """Set grad mode on or off; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self._prev = _state.enabled
        self._mode = mode
        _state.enabled = mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def clone(self):
        return set_grad_enabled(self._mode)


class inference_mode(_GradModeContext):
    """Like ``no_grad``; ember has no separate inference tensors, so this is grad mode off."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            self._mode = False
            self._inference = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return
        self._inference = bool(mode)
        self._mode = not mode

    def __enter__(self):
        self._prev = _state.enabled
        self._prev_inference = _state.inference
        _state.enabled = self._mode
        _state.inference = self._inference

    def __exit__(self, *exc):
        _state.enabled = self._prev
        _state.inference = self._prev_inference
        return False

    def clone(self):
        return inference_mode(self._inference)
