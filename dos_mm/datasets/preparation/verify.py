"""Check every point file an info file points to, before pretraining."""
import json
import os.path as osp
from typing import Dict, List

import mmengine
import numpy as np

from dos_mm.utils.atomic_write import atomic_write_bytes
from ..point_values import (COORD_BOUND, MAX_FAR_FRACTION, far_fraction,
                            reads_as_float64)

HEAD_POINTS = 256


def check_point_file(path: str, load_dim: int, values: bool = True) -> str:
    """'' when ``path`` holds whole float32 points of ``load_dim`` values,
    else the reason it does not. With ``values``, the first
    ``HEAD_POINTS`` points are read as well: coordinates that cannot be
    LiDAR (as :class:`CheckedLoadPointsFromFile` judges a whole scan) make
    the file bad, with the float64 hint where it fits (a cheap read:
    nuScenes has hundreds of thousands of files)."""
    if not osp.isfile(path):
        return 'missing'
    size = osp.getsize(path)
    if size == 0:
        return 'empty'
    if size % (4 * load_dim):
        return (f'{size} bytes is not a multiple of {4 * load_dim} '
                f'({load_dim} float32 per point)')
    if not values:
        return ''
    head = np.fromfile(path, np.float32, count=HEAD_POINTS * load_dim)
    xyz = head[:len(head) // load_dim * load_dim].reshape(-1, load_dim)
    far = far_fraction(xyz[:, :3], COORD_BOUND)
    if far <= MAX_FAR_FRACTION:
        return ''
    plausible = reads_as_float64(path, load_dim, count=HEAD_POINTS)
    return (f'{far:.0%} of its first {len(xyz)} points have a coordinate '
            f'beyond {COORD_BOUND:g} m' +
            ('; it reads as plausible float64: written as float64, not '
             'float32' if plausible else ''))


def verify_infos(info_file: str,
                 data_root: str,
                 pts_prefix: str,
                 load_dim: int,
                 sweeps_prefix: str = '',
                 drop_bad: bool = False) -> Dict:
    """Check the key-frame (and sweep) point files of every sample.

    Args:
        info_file (str): an mmdet3d v2 info file.
        data_root (str): the dataset root.
        pts_prefix (str): ``data_prefix['pts']`` of the dataset config.
        load_dim (int): floats per point.
        sweeps_prefix (str): ``data_prefix['sweeps']`` when the infos list
            sweeps (nuScenes).
        drop_bad (bool): rewrite the info file without the samples whose
            key frame is unreadable (atomically; the original is kept as
            ``<info_file>.orig``).

    Returns:
        dict: ``samples``, ``bad`` (list of {sample, file, reason}),
        ``bad_sweeps`` and ``dropped``; also written next to the info file
        as ``<name>.check.json``.
    """
    info = mmengine.load(info_file)
    bad: List[Dict] = []
    bad_sweeps: List[Dict] = []
    keep = []
    for i, sample in enumerate(
            mmengine.track_iter_progress(info['data_list'])):
        rel = sample['lidar_points']['lidar_path']
        path = osp.join(data_root, pts_prefix, rel)
        reason = check_point_file(path, load_dim)
        if reason:
            bad.append(dict(sample=i, file=path, reason=reason))
        keep.append(not reason)
        for sweep in sample.get('lidar_sweeps', []):
            rel = osp.basename(sweep['lidar_points']['lidar_path'])
            spath = osp.join(data_root, sweeps_prefix, rel)
            reason = check_point_file(spath, load_dim, values=False)
            if reason:
                bad_sweeps.append(dict(sample=i, file=spath, reason=reason))
    dropped = 0
    if drop_bad and bad:
        original = f'{info_file}.orig'
        if not osp.exists(original):
            with open(info_file, 'rb') as f:
                atomic_write_bytes(original, f.read())
        info['data_list'] = [s for s, k in zip(info['data_list'], keep) if k]
        dropped = len(keep) - len(info['data_list'])
        atomic_write_bytes(info_file, mmengine.dump(info, file_format='pkl'))
    report = dict(
        info_file=info_file,
        samples=len(keep),
        bad=bad,
        bad_sweeps=bad_sweeps,
        dropped=dropped)
    atomic_write_bytes(
        osp.splitext(info_file)[0] + '.check.json',
        json.dumps(report, indent=1).encode())
    print(
        f'{info_file}: {len(keep)} samples, {len(bad)} unreadable key '
        f'frames, {len(bad_sweeps)} unreadable sweeps' +
        (f', {dropped} dropped' if dropped else ''),
        flush=True)
    return report
