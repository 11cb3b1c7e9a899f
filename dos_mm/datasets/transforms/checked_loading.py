"""mmdet3d's point loader with checked input: a missing, unreadable,
truncated or wrongly typed scan file gets an error naming it, or a counted,
logged skip."""
import os.path as osp
from typing import Optional

import numpy as np
from mmdet3d.datasets.transforms import LoadPointsFromFile
from mmdet3d.registry import TRANSFORMS
from mmengine.logging import print_log

from ..point_values import (COORD_BOUND, MAX_FAR_FRACTION, far_fraction,
                            reads_as_float64)


class UnreadableScan(ValueError):
    """A scan file that cannot be read as ``load_dim`` float32 columns."""


@TRANSFORMS.register_module()
class CheckedLoadPointsFromFile(LoadPointsFromFile):
    """``LoadPointsFromFile`` that checks the file before reshaping it.

    mmdet3d's loader reshapes the raw float32 buffer to ``(-1, load_dim)``:
    a truncated or wrong-format ``.bin`` ends in numpy's "cannot reshape
    array" without the file's name, and a missing file in a backend error.
    This loader raises :class:`UnreadableScan` naming the path, its size and
    the expected multiple, or, with ``skip_unreadable=True``, logs a warning,
    counts the scan in ``num_skipped`` (per process) and returns ``None`` so
    mmengine's dataset draws another sample.

    A file of another dtype reads without complaint when its size happens
    to fit: a float64 ``.bin`` read as float32 gives twice the points, about
    half of them with coordinates up to 1e38. Such a scan is recognised by
    the share of its points whose x, y or z lies beyond ``coord_bound``
    metres (no LiDAR measures that far; a few stray far points are normal
    and left to the range filter), and treated as unreadable; the error
    says when the file reads as plausible float64 values.

    Args:
        skip_unreadable (bool): skip and count instead of raising.
        coord_bound (float): coordinates beyond this many metres cannot be
            a measurement. Defaults to 1e4.
        max_far_fraction (float): the largest share of points beyond
            ``coord_bound`` a scan may hold. Defaults to 0.01.
        **kwargs: the arguments of ``LoadPointsFromFile``.
    """
    num_skipped = 0

    def __init__(self,
                 skip_unreadable: bool = False,
                 coord_bound: float = COORD_BOUND,
                 max_far_fraction: float = MAX_FAR_FRACTION,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not coord_bound > 0 or not 0 <= max_far_fraction < 1:
            raise ValueError(f'coord_bound={coord_bound} must be > 0 and '
                             f'max_far_fraction={max_far_fraction} in [0, 1)')
        self.skip_unreadable = skip_unreadable
        self.coord_bound = coord_bound
        self.max_far_fraction = max_far_fraction

    def _check_values(self, path: str, points: np.ndarray) -> None:
        """Refuse a scan whose coordinates cannot be LiDAR (see class
        doc); ``points`` is the flat float32 buffer."""
        xyz = points.reshape(-1, self.load_dim)[:, :3]
        far = far_fraction(xyz, self.coord_bound)
        if far <= self.max_far_fraction:
            return
        hint = ''
        if osp.isfile(path) and reads_as_float64(path, self.load_dim,
                                                 self.coord_bound):
            hint = (' The file reads as plausible float64 values: it was '
                    'probably written as float64. Fix: rewrite it as '
                    'float32 (np.fromfile(path, np.float64).astype('
                    'np.float32).tofile(path)).')
        raise UnreadableScan(
            f'{path}: {far:.0%} of its {len(xyz)} points have a coordinate '
            f'beyond {self.coord_bound:g} m (at most '
            f'{self.max_far_fraction:.0%} allowed): these are not LiDAR '
            f'points in metres.{hint} Otherwise check load_dim '
            f'(now {self.load_dim}) and the unit, or set '
            'skip_unreadable=True to skip such scans')

    def _truncated(self, path: str, size: int) -> UnreadableScan:
        return UnreadableScan(
            f'{path}: {size} bytes is not a whole number of points of '
            f'{self.load_dim} float32 values ({self.load_dim * 4} bytes '
            'each): the file is truncated or has another point layout. Fix: '
            're-extract the file, or set load_dim to its layout (nuScenes 5, '
            'Waymo 6, SemanticKITTI 4), or skip_unreadable=True')

    def _load_points(self, pts_filename: str) -> np.ndarray:
        local = not pts_filename.endswith('.npy') and osp.isfile(pts_filename)
        if local and osp.getsize(pts_filename) % (self.load_dim * 4):
            raise self._truncated(pts_filename, osp.getsize(pts_filename))
        try:
            points = super()._load_points(pts_filename)
        except (OSError, ValueError) as exc:
            raise UnreadableScan(
                f'{pts_filename}: cannot be read ({exc!r:.200}). Fix: check '
                "the dataset's data_root / data_prefix and that the file "
                'exists, or set skip_unreadable=True on '
                'CheckedLoadPointsFromFile to skip such scans') from exc
        if points.size % self.load_dim:
            raise self._truncated(pts_filename, points.size * 4)
        self._check_values(pts_filename, points)
        return points

    def transform(self, results: dict) -> Optional[dict]:
        try:
            return super().transform(results)
        except UnreadableScan as exc:
            if not self.skip_unreadable:
                raise
            CheckedLoadPointsFromFile.num_skipped += 1
            print_log(
                f'CheckedLoadPointsFromFile: skipped unreadable scan ({exc}) '
                f'({CheckedLoadPointsFromFile.num_skipped} skipped so far in '
                'this worker)',
                logger='current',
                level=30)
            return None
