"""Per-channel scaling of point features, to put datasets on one scale."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet3d.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ScalePointChannels(BaseTransform):
    """Multiply each point channel by a factor (``points[:, i] *= scale[i]``).

    Joint pretraining on several LiDAR datasets needs their feature channels
    on one scale (nuScenes intensity is 0-255, Waymo's is tanh-normalised to
    0-1 by mmdet3d's ``norm_intensity``); mmdet3d has no such transform.

    Args:
        scale (Sequence[float]): one factor per channel of ``points``.
    """

    def __init__(self, scale: Sequence[float]) -> None:
        self.scale = np.asarray(scale, dtype=np.float32)

    def transform(self, results: dict) -> dict:
        points = results['points']
        if points.tensor.shape[1] != len(self.scale):
            raise ValueError(
                f'ScalePointChannels has {len(self.scale)} factors for '
                f'points with {points.tensor.shape[1]} channels '
                f'({results.get("lidar_path")})')
        points.tensor = points.tensor * points.tensor.new_tensor(self.scale)
        return results
