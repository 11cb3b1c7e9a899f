from .frozen_sparse_encoder import FrozenSparseEncoder
from .frozen_upcast_minkunet import FrozenUpcastMinkUNet
from .multiscale_minkunet import MultiScaleMinkUNet
from .multiscale_sparse_encoder import MultiScaleSparseEncoder
from .ptv3 import PointTransformerV3

__all__ = [
    'FrozenSparseEncoder', 'FrozenUpcastMinkUNet', 'MultiScaleMinkUNet',
    'MultiScaleSparseEncoder', 'PointTransformerV3'
]
