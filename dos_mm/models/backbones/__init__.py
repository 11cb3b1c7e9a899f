from .multiscale_minkunet import MultiScaleMinkUNet
from .multiscale_sparse_encoder import MultiScaleSparseEncoder

__all__ = ['MultiScaleMinkUNet', 'MultiScaleSparseEncoder']
