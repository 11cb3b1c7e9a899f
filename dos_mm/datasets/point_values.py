"""Whether the values of a point file can be LiDAR points in metres.

A file of another dtype reads without complaint when its size happens to
fit: a float64 ``.bin`` read as float32 gives twice the points, about half
of them with coordinates up to 1e38. No LiDAR (nor an indoor scan) measures
beyond ``COORD_BOUND`` metres; a few stray far points are normal and left to
the range filter, so a scan is judged by the share of such points.
"""
import os.path as osp
from typing import Optional

import numpy as np

COORD_BOUND = 1e4  # metres
MAX_FAR_FRACTION = 0.01


def far_fraction(xyz: np.ndarray, bound: float = COORD_BOUND) -> float:
    """The share of (N, 3) points with a finite coordinate beyond ``bound``
    in absolute value (0.0 for no points); non-finite values are counted
    elsewhere (``DOSMultiView``)."""
    if len(xyz) == 0:
        return 0.0
    with np.errstate(invalid='ignore', over='ignore'):
        far = (np.abs(xyz) > bound) & np.isfinite(xyz)
    return float(far.any(axis=1).mean())


def reads_as_float64(path: str,
                     load_dim: int,
                     bound: float = COORD_BOUND,
                     count: Optional[int] = None) -> bool:
    """Whether the file ``path`` (its first ``count`` points, or all) reads
    as ``load_dim`` float64 columns whose coordinates are finite and within
    ``bound``."""
    if osp.getsize(path) % (8 * load_dim):
        return False
    n = -1 if count is None else count * load_dim
    xyz = np.fromfile(path, np.float64, count=n).reshape(-1, load_dim)[:, :3]
    return bool(len(xyz)) and bool(
        (np.isfinite(xyz) & (np.abs(xyz) <= bound)).all())
