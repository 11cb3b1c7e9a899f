from . import probe_protocol
from .linear_probe import LinearProbe, ProbeConfig, fit_linear_probe, predict
from .point_features import encode_scan
from .probe_protocol import linear_probe_miou, segmentation_miou
from .report import summarise
from .supervised import train_supervised

__all__ = [
    'LinearProbe', 'ProbeConfig', 'fit_linear_probe', 'predict', 'encode_scan',
    'linear_probe_miou', 'probe_protocol', 'segmentation_miou', 'summarise',
    'train_supervised'
]
