from . import metrics, probe_protocol
from .linear_probe import LinearProbe, ProbeConfig, fit_linear_probe, predict
from .metrics import CenterDistanceAPMetric, center_distance_ap
from .point_features import encode_scan
from .probe_protocol import linear_probe_miou, segmentation_miou
from .prototype_diagnostics import prototype_diagnostics
from .report import summarise
from .supervised import train_supervised

__all__ = [
    'CenterDistanceAPMetric', 'center_distance_ap', 'metrics', 'LinearProbe',
    'ProbeConfig', 'fit_linear_probe', 'predict', 'encode_scan',
    'linear_probe_miou', 'probe_protocol', 'segmentation_miou', 'summarise',
    'prototype_diagnostics',
    'train_supervised'
]
