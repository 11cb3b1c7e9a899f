from .center_distance_ap import CenterDistanceAPMetric, center_distance_ap
from .online_probe_metric import OnlineProbeMetric

__all__ = ['CenterDistanceAPMetric', 'center_distance_ap', 'OnlineProbeMetric']
