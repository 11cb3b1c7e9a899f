from .algorithms import DOS, DOSEncoder, TeacherEMA
from .backbones import (FrozenUpcastMinkUNet, MultiScaleMinkUNet,
                        MultiScaleSparseEncoder)
from .data_preprocessors import (AnyDeviceDet3DDataPreprocessor,
                                 DOSDataPreprocessor)
from .heads import PrototypeHead
from .losses import SoftmapLoss
from .necks import UpcastNeck
from .targets import ZipfSinkhornTarget
from .weight_init import BackbonePretrainedInit

__all__ = [
    'DOS', 'DOSEncoder', 'TeacherEMA', 'MultiScaleSparseEncoder',
    'MultiScaleMinkUNet', 'FrozenUpcastMinkUNet', 'BackbonePretrainedInit',
    'AnyDeviceDet3DDataPreprocessor', 'DOSDataPreprocessor', 'PrototypeHead',
    'SoftmapLoss', 'UpcastNeck', 'ZipfSinkhornTarget'
]
