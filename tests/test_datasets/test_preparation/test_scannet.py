"""tools/create_data.py scannet on small ScanNet files in the layout of
mmdet3d's batch_load_scannet_data.py: infos, seg_info, resume, checks."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
from mmdet3d.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.datasets.preparation import prepare_scannet, scannet
from ...conftest import REPO

SCENES = {'train': ['scene0000_00', 'scene0001_00'], 'val': ['scene0002_00']}


def write_scannet(root, n=10000, dtype=np.float32):
    """scannet_instance_data/ and meta_data/ for three small scenes (the
    vertices float32, as batch_load_scannet_data.py writes them)."""
    (root / 'meta_data').mkdir(parents=True)
    data = root / 'scannet_instance_data'
    data.mkdir()
    rng = np.random.default_rng(0)
    for split, scenes in SCENES.items():
        (root / 'meta_data' /
         f'scannetv2_{split}.txt').write_text('\n'.join(scenes) + '\n')
        for scene in scenes:
            xyz = rng.uniform(0, 4, (n, 3))
            rgb = rng.uniform(0, 255, (n, 3))
            np.save(data / f'{scene}_vert.npy', np.c_[xyz, rgb].astype(dtype))
            np.save(data / f'{scene}_sem_label.npy',
                    rng.choice([1, 2, 3, 5, 39], n).astype(np.int64))
            np.save(data / f'{scene}_ins_label.npy',
                    rng.integers(0, 3, n).astype(np.int64))
            box = np.array([[1, 1, 1, .5, .5, .5, 5]], np.float64)
            np.save(data / f'{scene}_aligned_bbox.npy', box)
            np.save(data / f'{scene}_unaligned_bbox.npy', box)
            np.save(data / f'{scene}_axis_align_matrix.npy', np.eye(4))


def test_infos_read_by_the_pretraining_config(tmp_path):
    root = tmp_path / 'scannet'
    write_scannet(root)
    reports = prepare_scannet(str(root), workers=0)
    assert [r['samples'] for r in reports] == [2, 1]
    assert all(not r['bad'] for r in reports)
    assert (root / 'seg_info' / 'train_resampled_scene_idxs.npy').is_file()
    with open(root / 'scannet_infos_train.pkl', 'rb') as f:
        info = pickle.load(f)
    assert info['data_list'][0]['lidar_points']['num_pts_feats'] == 6
    # the DOS ScanNet pretraining config reads what was written
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_scannet.py'))
    ds = cfg.train_dataloader.dataset
    ds.update(
        data_root=str(root) + '/',
        scene_idxs=str(root / 'seg_info' / 'train_resampled_scene_idxs.npy'))
    sample = DATASETS.build(ds)[0]
    assert sample['inputs']['views'][0]['points'].shape[1] == 6


def test_interrupted_conversion_resumes_per_chunk(tmp_path, monkeypatch):
    root = tmp_path / 'scannet'
    write_scannet(root)
    monkeypatch.setattr(scannet, 'CHUNK', 1)
    done = []
    real = scannet._Chunk.__call__

    def stop_at_second(self, scenes):
        if self.split == 'train' and scenes[0] == 'scene0001_00':
            raise KeyboardInterrupt  # the run is killed here
        done.append(scenes[0])
        return real(self, scenes)

    monkeypatch.setattr(scannet._Chunk, '__call__', stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        prepare_scannet(str(root), workers=0)
    assert not (root / 'scannet_infos_train.pkl').exists()  # not complete
    monkeypatch.setattr(scannet._Chunk, '__call__', lambda self, s:
                        (done.append(s[0]), real(self, s))[1])
    prepare_scannet(str(root), workers=0)
    assert done.count('scene0000_00') == 1  # not redone after the kill
    assert (root / 'scannet_infos_train.pkl').is_file()


def test_float64_vertices_are_reported_as_such(tmp_path):
    """mmdet3d's converter writes the vertices' dtype into points/*.bin; a
    float64 array gives files that read as float32 garbage."""
    root = tmp_path / 'scannet'
    write_scannet(root, n=2000, dtype=np.float64)
    reports = prepare_scannet(str(root), workers=0)
    bad = [b for r in reports for b in r['bad']]
    assert len(bad) == 3
    assert all('written as float64, not float32' in b['reason'] for b in bad)


def test_missing_folders_are_named(tmp_path):
    proc = subprocess.run([
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'scannet', '--root-path',
        str(tmp_path)
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert 'no meta_data/ folder' in proc.stderr
