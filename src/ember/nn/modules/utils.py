"""Small helpers shared by layers, under the names ``torch.nn.modules.utils`` gives them:
``_single``/``_pair``/``_triple`` turn an int or a sequence into an n-tuple (kernel sizes,
strides, paddings), and ``consume_prefix_in_state_dict_if_present`` strips a key prefix."""

import collections.abc
import itertools

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(itertools.repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")

def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Remove ``prefix`` from every key of ``state_dict`` that has it (in place), and from
    the keys of its ``_metadata``, if any."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    # Metadata keys are module names: "" is the wrapper itself (kept), "module" the wrapped
    # model (it becomes the new root ""), "module.xx" its submodules.
    for key in list(metadata):
        if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
            metadata[key[len(prefix):]] = metadata.pop(key)
