"""Small helpers shared by layers, under the names ``torch.nn.modules.utils`` gives them:
``_single``/``_pair``/``_triple`` turn an int or a sequence into an n-tuple (kernel sizes,
strides, paddings), and ``consume_prefix_in_state_dict_if_present`` strips a key prefix."""

import collections.abc
import itertools

from ..parallel.utils import consume_prefix_in_state_dict_if_present

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
