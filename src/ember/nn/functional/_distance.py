"""Distance functions of ``nn.functional``: ``torch.cosine_similarity``,
``torch.pairwise_distance`` and ``torch.pdist`` (kernels in ``ops/distance.py``)."""

from ...ops.distance import cosine_similarity, pairwise_distance, pdist

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]
