"""Waymo: LiDAR extraction in the Waymo environment, mmdet3d info files in
this one.

waymo-open-dataset needs tensorflow, whose pins cannot share dos_mm's
environment, and mmdet3d's converter imports both worlds. The conversion is
therefore split: ``tools/waymo_extract.py`` runs with the Waymo
environment's Python (``make waymo-env``) and writes point files plus one
JSON per record; :func:`build_waymo_infos` turns those into mmdet3d's v2
Waymo info files (frame-based, boxes in the LiDAR frame, bottom-centred,
classes Car / Pedestrian / Cyclist, empty boxes dropped: as mmdet3d's
converter does).
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import List, Optional

import mmengine

from .resumable import run_step
from .verify import verify_infos

SPLITS = {'training': 0, 'validation': 1}  # folder -> sample prefix
INFO_NAME = {'training': 'train', 'validation': 'val'}
CLASSES = ('VEHICLE', 'PEDESTRIAN', 'CYCLIST')  # -> Car, Pedestrian, Cyclist
REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def waymo_python(explicit: Optional[str] = None) -> str:
    """The Waymo environment's interpreter: ``explicit``, then
    ``$DOS_WAYMO_PYTHON``, then ``.venv-waymo/bin/python`` in the repo."""
    path = explicit or os.environ.get('DOS_WAYMO_PYTHON') or osp.join(
        REPO, '.venv-waymo', 'bin', 'python')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: no Python of the Waymo environment. Fix: make '
            'waymo-env (creates .venv-waymo with waymo-open-dataset), or '
            'set DOS_WAYMO_PYTHON / --waymo-python')
    return path


def frame_info(record: dict, filter_empty: bool = True) -> dict:
    """One mmdet3d v2 Waymo ``data_list`` entry from an extracted frame."""
    instances = []
    for box in record['instances']:
        if box['type'] not in CLASSES:
            continue
        if filter_empty and box['num_lidar_pts'] < 1:
            continue
        label = CLASSES.index(box['type'])
        instances.append(
            dict(
                bbox_3d=[float(v) for v in box['bbox_3d']],
                bbox_label_3d=label,
                bbox_label=label,
                num_lidar_pts=box['num_lidar_pts'],
                track_id=box.get('track_id', '')))
    return dict(
        sample_idx=record['sample_idx'],
        timestamp=record['timestamp'],
        context_name=record['context_name'],
        ego2global=record['ego2global'],
        images=dict(),
        lidar_points=dict(lidar_path=record['lidar_path'], num_pts_feats=6),
        instances=instances)


def build_waymo_infos(kitti_dir: str, split: str) -> str:
    """Write ``waymo_infos_{train,val}.pkl`` from ``dos_frames/*.json``."""
    pattern = osp.join(kitti_dir, 'training', 'dos_frames',
                       f'{SPLITS[split]}*.json')
    files = sorted(glob.glob(pattern))
    if not files:
        raise FileNotFoundError(f'{pattern}: no extracted records. Fix: '
                                'run the extraction step first')
    data_list = []
    for path in files:
        with open(path) as f:
            data_list += [frame_info(r) for r in json.load(f)['frames']]
    out = osp.join(kitti_dir, f'waymo_infos_{INFO_NAME[split]}.pkl')
    mmengine.dump(
        dict(
            metainfo=dict(
                dataset='waymo',
                version='waymo_v1.4',
                info_version='dos_mm',
                classes=['Car', 'Pedestrian', 'Cyclist']),
            data_list=data_list), out)
    return out


def prepare_waymo(root: str,
                  workers: int = 4,
                  python: Optional[str] = None,
                  drop_bad: bool = False) -> List[dict]:
    """``root/waymo_format/{training,validation}/*.tfrecord`` ->
    ``root/kitti_format/training/velodyne/*.bin`` and
    ``root/kitti_format/waymo_infos_{train,val}.pkl``."""
    kitti = osp.join(root, 'kitti_format')
    splits = [
        s for s in SPLITS
        if glob.glob(osp.join(root, 'waymo_format', s, '*.tfrecord'))
    ]
    if not splits:
        raise FileNotFoundError(
            f'{root}/waymo_format/{{training,validation}}: no *.tfrecord '
            'files. Expected the layout data/waymo/waymo_format/training/'
            '*.tfrecord (see mmdet3d docs, "Waymo"). Fix: pass --root-path')
    interpreter = waymo_python(python)
    reports = []
    for split in splits:
        src = osp.join(root, 'waymo_format', split)
        cmd = [
            interpreter,
            osp.join(REPO, 'tools', 'waymo_extract.py'), src,
            osp.join(kitti, 'training'), '--prefix',
            str(SPLITS[split]), '--workers',
            str(workers)
        ]
        print('[extract] ' + ' '.join(cmd), flush=True)
        subprocess.run(cmd, check=True, stdout=sys.stdout, stderr=sys.stderr)
        records = len(glob.glob(osp.join(src, '*.tfrecord')))
        run_step(
            root,
            f'waymo_infos_{split}',
            dict(records=records),
            lambda split=split: build_waymo_infos(kitti, split),
            outputs=[osp.join(kitti, f'waymo_infos_{INFO_NAME[split]}.pkl')])
        reports.append(
            verify_infos(
                osp.join(kitti, f'waymo_infos_{INFO_NAME[split]}.pkl'),
                kitti,
                'training/velodyne',
                6,
                drop_bad=drop_bad))
    return reports
