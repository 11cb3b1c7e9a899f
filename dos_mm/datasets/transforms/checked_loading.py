"""mmdet3d's point loader with checked input: a missing, unreadable or
truncated scan file gets an error naming it, or a counted, logged skip."""
import os.path as osp
from typing import Optional

import numpy as np
from mmdet3d.datasets.transforms import LoadPointsFromFile
from mmdet3d.registry import TRANSFORMS
from mmengine.logging import print_log


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

    Args:
        skip_unreadable (bool): skip and count instead of raising.
        **kwargs: the arguments of ``LoadPointsFromFile``.
    """
    num_skipped = 0

    def __init__(self, skip_unreadable: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skip_unreadable = skip_unreadable

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
