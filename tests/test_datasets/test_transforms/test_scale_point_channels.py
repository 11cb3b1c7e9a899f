import numpy as np
import pytest
from mmdet3d.structures import LiDARPoints

from dos_mm.datasets.transforms import ScalePointChannels


def test_channels_are_scaled_and_mismatch_is_named():
    pts = LiDARPoints(np.full((3, 5), 255, np.float32), points_dim=5)
    out = ScalePointChannels([1, 1, 1, 1 / 255, 2])(dict(points=pts))
    assert np.allclose(out['points'].tensor[0].numpy(),
                       [255, 255, 255, 1, 510])
    with pytest.raises(ValueError, match='4 factors for points with 5'):
        ScalePointChannels([1, 1, 1, 1])(dict(points=pts, lidar_path='a.bin'))
