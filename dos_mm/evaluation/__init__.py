from .linear_probe import LinearProbe, ProbeConfig, fit_linear_probe, predict
from .point_features import encode_scan

__all__ = [
    'LinearProbe', 'ProbeConfig', 'fit_linear_probe', 'predict', 'encode_scan'
]
