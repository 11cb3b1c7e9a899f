"""Evaluation in mmengine's sense: metrics (``metrics/``) and the building
blocks of probing a backbone (per-point features, the linear probe,
prototype diagnostics, segmentation from the prototypes), which the
experiments (``dos_mm.experiments``) and an evaluation during pretraining
use alike."""
from . import metrics
from .linear_probe import LinearProbe, ProbeConfig, fit_linear_probe, predict
from .metrics import CenterDistanceAPMetric, center_distance_ap
from .point_features import encode_scan
from .prototype_diagnostics import prototype_diagnostics
from .prototype_segmentation import prototype_segmentation

__all__ = [
    'CenterDistanceAPMetric', 'center_distance_ap', 'metrics', 'LinearProbe',
    'ProbeConfig', 'fit_linear_probe', 'predict', 'encode_scan',
    'prototype_diagnostics', 'prototype_segmentation'
]
