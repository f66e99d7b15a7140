"""``ember.utils.data``: PyTorch's data loading API (``torch.utils.data``).

Datasets (``dataset``), samplers (``sampler``), batching rules (``_collate``) and the
``DataLoader`` with its worker processes (``dataloader``, ``_multiprocessing``,
``_worker``). Random shuffles and splits draw from ``ember.random`` as PyTorch's draw from
its generator, so the same seed gives the same batches in the same order.
"""

from ._collate import default_collate, default_convert
from ._worker import get_worker_info
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "DistributedSampler",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
