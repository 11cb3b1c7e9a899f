"""Pure numpy geometry for making one augmented view of a scan.

Every function is vectorised over points and takes an explicit
``np.random.Generator`` so that views are reproducible from a seed.
"""
from typing import Tuple

import numpy as np


def random_crop(xyz: np.ndarray, ratio_range: Tuple[float, float],
                rng: np.random.Generator) -> np.ndarray:
    """Indices of the points nearest (in x-y) to a random centre point.

    Args:
        xyz (np.ndarray): (N, 3) coordinates.
        ratio_range (tuple[float, float]): fraction of the points to keep,
            drawn uniformly; ``(1, 1)`` keeps the whole scan.
        rng (np.random.Generator): random source.

    Returns:
        np.ndarray: (M,) sorted int64 indices into ``xyz``, M >= 1.
    """
    n = len(xyz)
    ratio = rng.uniform(*ratio_range)
    keep = max(1, int(round(ratio * n)))
    if keep >= n:
        return np.arange(n, dtype=np.int64)
    centre = xyz[rng.integers(n), :2]
    dist2 = ((xyz[:, :2] - centre)**2).sum(1)  # (N,)
    idx = np.argpartition(dist2, keep - 1)[:keep]
    return np.sort(idx).astype(np.int64)


def random_rigid_transform(rng: np.random.Generator,
                           rot_range: float,
                           tilt_range: float,
                           scale_range: Tuple[float, float],
                           flip: bool = True) -> np.ndarray:
    """A random 3x3 linear map: flip, z-rotation, small tilt and scaling.

    Args:
        rng (np.random.Generator): random source.
        rot_range (float): rotation about z drawn from [-rot, rot] (radians).
        tilt_range (float): rotations about x and y drawn from
            [-tilt, tilt] (radians).
        scale_range (tuple[float, float]): isotropic scale range.
        flip (bool): flip x and/or y with probability 0.5 each.

    Returns:
        np.ndarray: (3, 3) float32 matrix M; augmented = xyz @ M.T.
    """
    a, bx, by = rng.uniform(-rot_range, rot_range), *rng.uniform(
        -tilt_range, tilt_range, size=2)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a),
                                                np.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(bx), -np.sin(bx)],
                   [0, np.sin(bx), np.cos(bx)]])
    ry = np.array([[np.cos(by), 0, np.sin(by)], [0, 1, 0],
                   [-np.sin(by), 0, np.cos(by)]])
    flips = np.ones(3)
    if flip:
        flips[:2] = np.where(rng.random(2) < 0.5, -1.0, 1.0)
    scale = rng.uniform(*scale_range)
    return (scale * rz @ rx @ ry @ np.diag(flips)).astype(np.float32)


def jitter(xyz: np.ndarray, sigma: float, clip: float,
           rng: np.random.Generator) -> np.ndarray:
    """Add clipped Gaussian noise of std ``sigma`` to every coordinate."""
    if sigma <= 0:
        return xyz
    noise = np.clip(rng.normal(0.0, sigma, size=xyz.shape), -clip, clip)
    return (xyz + noise).astype(xyz.dtype)
