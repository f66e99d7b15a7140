"""``consume_prefix_in_state_dict_if_present``, beside DDP (whose ``module.`` prefix it
strips); it lives in ``nn.modules.utils``, as in PyTorch."""

from ..modules.utils import consume_prefix_in_state_dict_if_present

__all__ = ["consume_prefix_in_state_dict_if_present"]
