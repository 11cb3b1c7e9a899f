from .center_distance_ap import CenterDistanceAPMetric, center_distance_ap

__all__ = ['CenterDistanceAPMetric', 'center_distance_ap']
