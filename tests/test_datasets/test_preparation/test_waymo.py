"""Waymo: extraction in the Waymo environment (skipped where .venv-waymo is
absent), info files in this one, read by mmdet3d's WaymoDataset."""
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from mmdet3d.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.datasets.preparation.waymo import build_waymo_infos
from ...conftest import REPO

WAYMO_PY = os.environ.get('DOS_WAYMO_PYTHON',
                          str(REPO / '.venv-waymo' / 'bin' / 'python'))
WRITER = REPO / 'tests/test_datasets/test_preparation/waymo_frame_writer.py'


def write_extracted(kitti, frames=2, n=400):
    """What tools/waymo_extract.py writes for one training record."""
    rng = np.random.default_rng(0)
    velodyne = kitti / 'training' / 'velodyne'
    velodyne.mkdir(parents=True)
    (kitti / 'training' / 'dos_frames').mkdir()
    records = []
    for j in range(frames):
        name = f'0000{j:03d}.bin'
        pts = np.c_[rng.uniform(-40, 40, (n, 2)),
                    rng.uniform(-1, 3, n),
                    rng.uniform(0, 1, (n, 2)),
                    np.arange(n)]
        pts.astype(np.float32).tofile(velodyne / name)
        records.append(
            dict(
                sample_idx=j,
                timestamp=j,
                context_name='c',
                ego2global=np.eye(4).tolist(),
                lidar_path=name,
                instances=[
                    dict(
                        type='VEHICLE',
                        bbox_3d=[10, 2, 0.2, 4.5, 2, 1.6, 0.3],
                        num_lidar_pts=12),
                    dict(
                        type='CYCLIST',
                        bbox_3d=[5, 5, 0, 2, 1, 1.7, 0],
                        num_lidar_pts=0),  # empty: dropped
                    dict(
                        type='SIGN',
                        bbox_3d=[0, 0, 0, 1, 1, 1, 0],
                        num_lidar_pts=4),  # not a class: dropped
                ]))
    (kitti / 'training' / 'dos_frames' / '0000.json').write_text(
        json.dumps(dict(source='a.tfrecord', frames=records)))


def test_infos_feed_pretraining_and_centerpoint(tmp_path):
    kitti = tmp_path / 'kitti_format'
    write_extracted(kitti)
    out = build_waymo_infos(str(kitti), 'training')
    with open(out, 'rb') as f:
        infos = pickle.load(f)
    assert len(infos['data_list']) == 2
    assert [i['bbox_label_3d']
            for i in infos['data_list'][0]['instances']] == [0]
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_waymo.py'))
    ds = cfg.train_dataloader.dataset
    ds.update(data_root=str(kitti) + '/', load_interval=1)
    views = DATASETS.build(ds)[0]['inputs']['views']
    assert views[0]['points'].shape[1] == 5
    cfg = Config.fromfile(
        str(REPO / 'configs/centerpoint/centerpoint_voxel01_dos_waymo-3d.py'))
    ds = cfg.train_dataloader.dataset.dataset
    ds.update(data_root=str(kitti) + '/', load_interval=1)
    item = DATASETS.build(ds)[0]
    boxes = item['data_samples'].gt_instances_3d.bboxes_3d
    assert len(boxes) == 1
    # the flip / rotation / scaling of the pipeline keep size and z
    assert np.allclose(
        sorted(boxes.dims[0].tolist()), [1.6, 2.0, 4.5], rtol=0.06)


def test_missing_waymo_environment_is_named(tmp_path):
    src = tmp_path / 'waymo_format' / 'training'
    src.mkdir(parents=True)
    (src / 'a.tfrecord').write_bytes(b'')
    proc = subprocess.run([
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'waymo', '--root-path',
        str(tmp_path), '--waymo-python',
        str(tmp_path / 'nope')
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert 'make waymo-env' in proc.stderr


@pytest.mark.skipif(
    not os.path.isfile(WAYMO_PY),
    reason='no Waymo environment (make waymo-env) at ' + WAYMO_PY)
def test_tfrecord_to_infos_and_resume(tmp_path):
    src = tmp_path / 'waymo_format' / 'training'
    src.mkdir(parents=True)
    subprocess.run(
        [WAYMO_PY, str(WRITER),
         str(src / 'a.tfrecord'), '2'],
        check=True,
        capture_output=True)
    cmd = [
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'waymo', '--root-path',
        str(tmp_path), '--workers', '1', '--waymo-python', WAYMO_PY
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    kitti = tmp_path / 'kitti_format'
    pts = np.fromfile(kitti / 'training/velodyne/0000001.bin',
                      np.float32).reshape(-1, 6)
    assert len(pts) == 61  # 60 first returns + 1 second return
    assert np.all(np.linalg.norm(pts[:, :3], axis=1) > 4)
    with open(kitti / 'waymo_infos_train.pkl', 'rb') as f:
        infos = pickle.load(f)['data_list']
    assert [i['sample_idx'] for i in infos] == [0, 1]
    box = infos[0]['instances'][0]['bbox_3d']
    assert np.allclose(box, [10, 2, 0.2, 4.5, 2.0, 1.6, 0.3], atol=1e-6)
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0
    assert 'skip' in again.stdout and '[skip] waymo_infos_training' in \
        again.stdout
