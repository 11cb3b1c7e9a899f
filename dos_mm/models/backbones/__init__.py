from .frozen_sparse_encoder import FrozenSparseEncoder
from .frozen_upcast_minkunet import FrozenUpcastMinkUNet
from .multiscale_minkunet import MultiScaleMinkUNet
from .multiscale_sparse_encoder import MultiScaleSparseEncoder
from .ptv3 import FrozenUpcastPTv3, PointTransformerV3, PTv3SegBackbone

__all__ = [
    'FrozenSparseEncoder', 'FrozenUpcastMinkUNet', 'MultiScaleMinkUNet',
    'MultiScaleSparseEncoder', 'PointTransformerV3', 'PTv3SegBackbone',
    'FrozenUpcastPTv3'
]
