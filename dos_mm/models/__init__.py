from .algorithms import DOS, DOSEncoder, TeacherEMA
from .backbones import MultiScaleSparseEncoder
from .data_preprocessors import (AnyDeviceDet3DDataPreprocessor,
                                 DOSDataPreprocessor)
from .heads import PrototypeHead
from .losses import SoftmapLoss
from .necks import UpcastNeck
from .targets import ZipfSinkhornTarget

__all__ = [
    'DOS', 'DOSEncoder', 'TeacherEMA', 'MultiScaleSparseEncoder',
    'AnyDeviceDet3DDataPreprocessor', 'DOSDataPreprocessor', 'PrototypeHead',
    'SoftmapLoss', 'UpcastNeck', 'ZipfSinkhornTarget'
]
