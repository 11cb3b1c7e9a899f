"""Point-to-voxel coordinates for the two voxelisations DOS supports."""
from typing import Dict, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def hard_point_voxels(xyz: Tensor, scan: Tensor,
                      pc_range: Sequence[float],
                      voxel_size: Sequence[float]) -> Tuple[Tensor, Tensor]:
    """Voxel coords of points on mmcv's hard-voxelisation grid.

    Args:
        xyz (Tensor): (P, 3) coordinates.
        scan (Tensor): (P,) scan index.
        pc_range (Sequence[float]): (x0, y0, z0, x1, y1, z1).
        voxel_size (Sequence[float]): (vx, vy, vz).

    Returns:
        tuple[Tensor, Tensor]: (P, 4) int64 (scan, z, y, x) and (P,) bool
        inside the range (points outside have no voxel).
    """
    lo = xyz.new_tensor(pc_range[:3])
    size = xyz.new_tensor(voxel_size)
    grid = torch.round((xyz.new_tensor(pc_range[3:]) - lo) / size).long()
    ijk = torch.floor((xyz - lo) / size).long()  # (P, 3) x, y, z
    inside = ((ijk >= 0) & (ijk < grid)).all(1)
    return torch.cat([scan[:, None].long(), ijk.flip(1)], dim=1), inside


def minkunet_voxelize(points: Tensor, scan: Tensor,
                      voxel_size: Sequence[float], origin: Tensor,
                      batch_size: int) -> Dict[str, Tensor]:
    """MinkUNet voxelisation (mmdet3d's ``voxel_type='minkunet'``) on a
    given per-scan grid origin.

    Like mmdet3d, a voxel's feature is that of its first point and coords
    are ``round(xyz / voxel_size)``; unlike it, the origin is passed in (the
    full view's minimum) so that a subset of the points lands on the same
    grid, and everything stays on the points' device.

    Args:
        points (Tensor): (P, C) points.
        scan (Tensor): (P,) scan index.
        voxel_size (Sequence[float]): (vx, vy, vz).
        origin (Tensor): (B, 3) int64 grid origin per scan.
        batch_size (int): B.

    Returns:
        dict: ``voxels`` (V, C), ``coors`` (V, 4) int32 (scan, x, y, z),
        ``point_vox`` (P, 4) int64 voxel coords of every point.
    """
    grid = torch.round(points[:, :3] / points.new_tensor(voxel_size)).long()
    grid = grid - origin[scan]
    point_vox = torch.cat([scan[:, None].long(), grid], dim=1)  # (P, 4)
    uniq, inverse = torch.unique(point_vox, dim=0, return_inverse=True)
    first = torch.full((len(uniq), ), len(points), dtype=torch.long,
                       device=points.device)
    first.scatter_reduce_(0, inverse,
                          torch.arange(len(points), device=points.device),
                          'amin')
    return dict(voxels=points[first], coors=uniq.int(), point_vox=point_vox)
