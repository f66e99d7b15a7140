"""``ember.nn.parallel``: ``DistributedDataParallel`` (data parallelism across the ranks of
``ember.distributed``) and ``consume_prefix_in_state_dict_if_present`` for its checkpoints.
"""

from .distributed import DistributedDataParallel
from .utils import consume_prefix_in_state_dict_if_present

__all__ = ["DistributedDataParallel", "consume_prefix_in_state_dict_if_present"]
