"""tools/create_data.py nuscenes on a small nuScenes copy written by the
test in the devkit's table format (two scenes of the official mini split,
one key frame each with a LiDAR sweep, six cameras and one box)."""
import json
import pickle
import subprocess
import sys

import numpy as np
from mmdet3d.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ...conftest import REPO

CAMS = ('CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK',
        'CAM_BACK_LEFT', 'CAM_BACK_RIGHT')
IDENTITY = [1.0, 0.0, 0.0, 0.0]


def write_nuscenes(root, version='v1.0-mini', n=500):
    rng = np.random.default_rng(0)
    tables = {
        k: []
        for k in ('category', 'attribute', 'visibility', 'instance', 'sensor',
                  'calibrated_sensor', 'ego_pose', 'log', 'scene', 'sample',
                  'sample_data', 'sample_annotation', 'map')
    }
    tables['category'].append(
        dict(token='cat', name='vehicle.car', description=''))
    tables['visibility'].append(
        dict(token='4', level='v80-100', description=''))
    tables['log'].append(
        dict(
            token='log',
            logfile='',
            vehicle='',
            date_captured='2018-08-01',
            location='singapore-onenorth'))
    tables['map'].append(
        dict(
            token='map',
            log_tokens=['log'],
            category='semantic_prior',
            filename='maps/x.png'))
    for channel in ('LIDAR_TOP', ) + CAMS:
        modality = 'lidar' if channel == 'LIDAR_TOP' else 'camera'
        tables['sensor'].append(
            dict(token=f's_{channel}', channel=channel, modality=modality))
        tables['calibrated_sensor'].append(
            dict(
                token=f'cs_{channel}',
                sensor_token=f's_{channel}',
                translation=[0.9, 0.0, 1.8],
                rotation=IDENTITY,
                camera_intrinsic=[[1000, 0, 800], [0, 1000, 450], [0, 0, 1]]
                if modality == 'camera' else []))
    for name in ('scene-0061', 'scene-0103'):  # mini train / mini val
        s, t = f'sample_{name}', 1532402927647951 + len(tables['scene'])
        tables['scene'].append(
            dict(
                token=name,
                name=name,
                description='',
                log_token='log',
                nbr_samples=1,
                first_sample_token=s,
                last_sample_token=s))
        tables['sample'].append(
            dict(token=s, timestamp=t, prev='', next='', scene_token=name))
        tables['ego_pose'].append(
            dict(
                token=f'pose_{name}',
                timestamp=t,
                translation=[400.0, 1100.0, 0.0],
                rotation=IDENTITY))
        files = {}
        for channel in ('LIDAR_TOP', ) + CAMS:
            lidar = channel == 'LIDAR_TOP'
            rel = (f'samples/{channel}/{name}__{channel}.pcd.bin'
                   if lidar else f'samples/{channel}/{name}__{channel}.jpg')
            files[channel] = rel
            tables['sample_data'].append(
                dict(
                    token=f'sd_{name}_{channel}',
                    sample_token=s,
                    ego_pose_token=f'pose_{name}',
                    calibrated_sensor_token=f'cs_{channel}',
                    timestamp=t,
                    fileformat='pcd' if lidar else 'jpg',
                    is_key_frame=True,
                    height=0 if lidar else 900,
                    width=0 if lidar else 1600,
                    filename=rel,
                    prev=f'sweep_{name}' if lidar else '',
                    next=''))
        sweep = f'sweeps/LIDAR_TOP/{name}__sweep.pcd.bin'
        tables['sample_data'].append(
            dict(
                token=f'sweep_{name}',
                sample_token=s,
                ego_pose_token=f'pose_{name}',
                calibrated_sensor_token='cs_LIDAR_TOP',
                timestamp=t - 50000,
                fileformat='pcd',
                is_key_frame=False,
                height=0,
                width=0,
                filename=sweep,
                prev='',
                next=f'sd_{name}_LIDAR_TOP'))
        for rel in (files['LIDAR_TOP'], sweep):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            pts = np.c_[rng.uniform(-30, 30, (n, 3)),
                        rng.uniform(0, 100, n),
                        np.zeros(n)]
            pts.astype(np.float32).tofile(root / rel)
        tables['instance'].append(
            dict(
                token=f'inst_{name}',
                category_token='cat',
                nbr_annotations=1,
                first_annotation_token=f'ann_{name}',
                last_annotation_token=f'ann_{name}'))
        tables['sample_annotation'].append(
            dict(
                token=f'ann_{name}',
                sample_token=s,
                instance_token=f'inst_{name}',
                visibility_token='4',
                attribute_tokens=[],
                translation=[410.0, 1105.0, 1.0],
                size=[1.9, 4.5, 1.6],
                rotation=IDENTITY,
                prev='',
                next='',
                num_lidar_pts=40,
                num_radar_pts=0))
    (root / 'maps').mkdir()
    from PIL import Image
    Image.new('L', (8, 8)).save(root / 'maps' / 'x.png')
    (root / version).mkdir(parents=True)
    for name, rows in tables.items():
        (root / version / f'{name}.json').write_text(json.dumps(rows))


def create(root, *extra):
    return subprocess.run([
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'nuscenes', '--root-path',
        str(root), '--version', 'v1.0-mini', *extra
    ],
                          capture_output=True,
                          text=True,
                          timeout=300)


def test_infos_feed_pretraining_and_centerpoint(tmp_path):
    root = tmp_path / 'nuscenes'
    write_nuscenes(root)
    proc = create(root, '--max-sweeps', '2')
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(root / 'nuscenes_infos_train.pkl', 'rb') as f:
        train = pickle.load(f)
    assert len(train['data_list']) == 1
    sample = train['data_list'][0]
    assert sample['lidar_points']['lidar_path'] == \
        'scene-0061__LIDAR_TOP.pcd.bin'
    assert len(sample['lidar_sweeps']) == 1
    assert len(sample['instances']) == 1
    assert not list(root.glob('.dos_stage*'))  # staged files moved away
    init_default_scope('mmdet3d')
    # DOS nuScenes pretraining (key frame + sweep, 5 dims)
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_nuscenes.py'))
    cfg.train_dataloader.dataset.data_root = str(root) + '/'
    views = DATASETS.build(cfg.train_dataloader.dataset)[0]['inputs']['views']
    assert views[0]['points'].shape[1] == 5
    # CenterPoint fine-tuning reads the boxes
    cfg = Config.fromfile(
        str(REPO / 'configs/centerpoint/centerpoint_voxel01_dos_nus-3d.py'))
    ds = cfg.train_dataloader.dataset.dataset
    ds.update(data_root=str(root) + '/')
    ds.pipeline = [t for t in ds.pipeline if t['type'] != 'ObjectSample']
    item = DATASETS.build(ds)[0]
    assert len(item['data_samples'].gt_instances_3d.bboxes_3d) == 1
    # a second run does nothing but the file check
    again = create(root, '--max-sweeps', '2')
    assert again.stdout.count('[skip]') == 3, again.stdout


def test_broken_sweep_is_reported(tmp_path):
    root = tmp_path / 'nuscenes'
    write_nuscenes(root)
    (root / 'sweeps/LIDAR_TOP/scene-0061__sweep.pcd.bin').write_bytes(b'x')
    proc = create(root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(root / 'nuscenes_infos_train.check.json') as f:
        report = json.load(f)
    assert report['bad'] == []
    assert 'not a multiple of 20' in report['bad_sweeps'][0]['reason']


def test_wrong_version_is_named(tmp_path):
    root = tmp_path / 'nuscenes'
    write_nuscenes(root)
    proc = subprocess.run([
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'nuscenes', '--root-path',
        str(root), '--version', 'v1.0-trainval'
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert 'no v1.0-trainval/ folder' in proc.stderr


def test_a_deleted_info_file_is_made_again(tmp_path):
    root = tmp_path / 'nuscenes'
    write_nuscenes(root)
    assert create(root).returncode == 0
    (root / 'nuscenes_infos_val.pkl').unlink()
    proc = create(root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '[skip] nuscenes_v2_train' in proc.stdout
    assert '[step] nuscenes_v2_val' in proc.stdout
    assert (root / 'nuscenes_infos_val.pkl').is_file()


def test_gt_database_for_object_sample(tmp_path):
    root = tmp_path / 'nuscenes'
    write_nuscenes(root)
    proc = create(root, '--gt-database')
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(root / 'nuscenes_dbinfos_train.pkl', 'rb') as f:
        db = pickle.load(f)
    assert len(db['car']) == 1
