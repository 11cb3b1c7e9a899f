"""``DOSMultiView``: two cropped, independently augmented views per scan."""
import os
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet3d.registry import TRANSFORMS
from mmengine.dist import get_dist_info
from mmengine.logging import print_log

from .view_augment import jitter, random_crop, random_rigid_transform


class NoUsableScan(RuntimeError):
    """Every scan drawn so far was skipped."""


@TRANSFORMS.register_module()
class DOSMultiView(BaseTransform):
    """Make ``num_views`` views of ``results['points']`` for DOS.

    Each view is a random crop of the scan followed by its own flip,
    rotation about z, small tilt, scaling and point jitter. Every point of a
    view keeps its index in the original scan and its original
    (pre-augmentation) coordinate, so views can be matched to each other.

    Non-finite points are dropped, counted (``num_nonfinite_scans``,
    ``num_nonfinite_points``, per process; ``dos_nonfinite_points`` in the
    sample's meta) and logged with the file's name (every such scan among
    the first ``LOGGED_NONFINITE`` of a process, then every 100th); a scan
    with fewer than
    ``min_points`` finite points is skipped (the transform returns ``None``,
    so mmengine's dataset draws another sample) with a logged warning naming
    the file; the class attribute ``num_skipped`` counts skips per process.
    When the first ``MAX_SKIPPED_BEFORE_ANY`` scans of a process are all
    skipped, the dataset has no usable scan: :class:`NoUsableScan` says so
    with the last reason (instead of mmengine's "Cannot find valid image"
    after a thousand warnings).

    Randomness: with ``seed=None`` each process (every data-loader worker of
    every rank) draws its generator's seed from numpy's global state, which
    mmengine seeds per worker and rank; with a fixed ``seed`` the worker id
    and rank are mixed in, so workers never replay each other's views.

    Adds ``results['dos_views']``: a list of dicts with
    ``points`` (Nv, C) float32 (augmented xyz + the other features),
    ``orig_coord`` (Nv, 3) float32 and ``orig_idx`` (Nv,) int64.

    Args:
        num_views (int): number of views. Defaults to 2.
        crop_ratio (tuple[float, float]): fraction of points each crop keeps.
        rot_range (float): z-rotation range in radians (paper: pi).
        tilt_range (float): tilt range in radians.
        scale_range (tuple[float, float]): scaling range (paper: 0.9-1.1).
        flip (bool): random x/y flips.
        jitter_sigma (float): std of the point jitter in metres.
        jitter_clip (float): clip of the jitter in metres.
        min_points (int): scans with fewer finite points are skipped.
        min_view_points (int): scans where a crop keeps fewer points are
            skipped.
        seed (int, optional): fixes the random views (tests, benchmarks).
    """
    num_skipped = 0
    num_kept = 0
    MAX_SKIPPED_BEFORE_ANY = 50
    num_nonfinite_scans = 0
    num_nonfinite_points = 0
    LOGGED_NONFINITE = 20

    def __init__(self,
                 num_views: int = 2,
                 crop_ratio: Tuple[float, float] = (0.6, 1.0),
                 rot_range: float = np.pi,
                 tilt_range: float = 0.05,
                 scale_range: Tuple[float, float] = (0.9, 1.1),
                 flip: bool = True,
                 jitter_sigma: float = 0.005,
                 jitter_clip: float = 0.02,
                 min_points: int = 32,
                 min_view_points: int = 8,
                 seed: Optional[int] = None) -> None:
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        lo, hi = crop_ratio
        if not 0 < lo <= hi <= 1:
            raise ValueError(f'crop_ratio must satisfy 0 < lo <= hi <= 1, '
                             f'got {crop_ratio}')
        self.num_views = num_views
        self.crop_ratio = (lo, hi)
        self.rot_range = rot_range
        self.tilt_range = tilt_range
        self.scale_range = tuple(scale_range)
        self.flip = flip
        self.jitter_sigma = jitter_sigma
        self.jitter_clip = jitter_clip
        self.min_points = min_points
        self.seed = seed
        self.min_view_points = min_view_points
        self._rng: Optional[np.random.Generator] = None
        self._rng_pid: Optional[int] = None

    @property
    def rng(self) -> np.random.Generator:
        """This process's generator, created on first use (see class doc)."""
        if self._rng is None or self._rng_pid != os.getpid():
            info = torch.utils.data.get_worker_info()
            worker = info.id if info is not None else 0
            base = self.seed if self.seed is not None else \
                int(np.random.randint(2**31))
            self._rng = np.random.default_rng(
                [base, worker, get_dist_info()[0]])
            self._rng_pid = os.getpid()
        return self._rng

    def _skip(self, results: dict, reason: str) -> None:
        DOSMultiView.num_skipped += 1
        name = results.get('lidar_path', results.get('sample_idx', '?'))
        print_log(
            f'DOSMultiView: skipped scan {name}: {reason} '
            f'({DOSMultiView.num_skipped} skipped so far in this worker)',
            logger='current',
            level=30)
        if (DOSMultiView.num_kept == 0 and DOSMultiView.num_skipped
                >= DOSMultiView.MAX_SKIPPED_BEFORE_ANY):
            raise NoUsableScan(
                f'DOSMultiView: the first {DOSMultiView.num_skipped} scans '
                f'drawn were all skipped (last: {name}: {reason}). Fix: '
                "check the dataset's files (e.g. with "
                'tools/generate_synthetic.py or tools/create_data.py) and '
                'min_points / crop_ratio of DOSMultiView')
        return None

    def _note_nonfinite(self, results: dict, num_bad: int,
                        num_rows: int) -> None:
        cls = DOSMultiView
        cls.num_nonfinite_scans += 1
        cls.num_nonfinite_points += num_bad
        results['dos_nonfinite_points'] = num_bad
        n = cls.num_nonfinite_scans
        if n <= cls.LOGGED_NONFINITE or n % 100 == 0:
            name = results.get('lidar_path', results.get('sample_idx', '?'))
            print_log(
                f'DOSMultiView: dropped {num_bad} of {num_rows} points of '
                f'{name}: NaN or inf values ({n} scans and '
                f'{cls.num_nonfinite_points} points so far in this worker)',
                logger='current',
                level=30)

    def make_view(self, points: np.ndarray) -> dict:
        """One view of a (N, C) finite point array."""
        idx = random_crop(points[:, :3], self.crop_ratio, self.rng)  # (M,)
        crop = points[idx]
        mat = random_rigid_transform(self.rng, self.rot_range, self.tilt_range,
                                     self.scale_range, self.flip)
        xyz = jitter(crop[:, :3] @ mat.T, self.jitter_sigma, self.jitter_clip,
                     self.rng)
        view_points = np.concatenate([xyz, crop[:, 3:]], axis=1)
        return dict(
            points=view_points.astype(np.float32),
            orig_coord=crop[:, :3].astype(np.float32),
            orig_idx=idx)

    def transform(self, results: dict) -> Optional[dict]:
        points = results['points']
        arr = points.tensor.numpy() if hasattr(points, 'tensor') else \
            np.asarray(points)
        finite = np.isfinite(arr).all(axis=1)
        num_bad = int((~finite).sum())
        if num_bad:
            self._note_nonfinite(results, num_bad, len(arr))
            arr = arr[finite]
        if len(arr) < self.min_points:
            return self._skip(
                results, f'{len(arr)} finite points (< min_points='
                f'{self.min_points}; {num_bad} non-finite dropped)')
        views: List[dict] = [
            self.make_view(arr) for _ in range(self.num_views)
        ]
        smallest = min(len(v['points']) for v in views)
        if smallest < self.min_view_points:
            return self._skip(
                results, f'a crop kept {smallest} points (< '
                f'min_view_points={self.min_view_points}); raise the minimum '
                'of crop_ratio to keep more')
        if num_bad:  # index into the scan as given, not the finite subset
            scan_idx = np.flatnonzero(finite)
            for view in views:
                view['orig_idx'] = scan_idx[view['orig_idx']]
        results['dos_views'] = views
        DOSMultiView.num_kept += 1
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_views={self.num_views}, '
                f'crop_ratio={self.crop_ratio}, rot_range={self.rot_range}, '
                f'tilt_range={self.tilt_range}, '
                f'scale_range={self.scale_range}, flip={self.flip})')
