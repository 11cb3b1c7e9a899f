"""Faults and bad input, each through the real path with its documented
behaviour (README, "What happens on a fault"): skip-and-count or a clear
error, and nothing written before is lost."""
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmdet3d.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from dos_mm.datasets.transforms import (CheckedLoadPointsFromFile,
                                        DOSMultiView, NoUsableScan,
                                        UnreadableScan)
from dos_mm.models.algorithms.empty_steps import NothingInRange
from .conftest import REPO, TINY_CONFIG

SCAN = 'sequences/00/velodyne/000000.bin'
MINKUNET = TINY_CONFIG.parent / 'dos_tiny_minkunet.py'


@pytest.fixture
def data_root(tmp_path, synthetic_root):
    """A private copy of the synthetic scans, free to damage."""
    root = tmp_path / 'data'
    shutil.copytree(synthetic_root, root)
    return root


def dataset(root, **loader):
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG))
    ds = cfg.train_dataloader.dataset
    ds.data_root = str(root) + '/'
    ds.pipeline[0].update(loader)
    return DATASETS.build(ds)


def points_of(root, rel=SCAN):
    return np.fromfile(root / rel, np.float32).reshape(-1, 4)


def write(root, pts, rel=SCAN):
    np.asarray(pts, np.float32).tofile(root / rel)


def one_step(samples, config=TINY_CONFIG):
    init_default_scope('mmdet3d')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(config)).model)
    model.train()
    out = model(
        **model.data_preprocessor(pseudo_collate(samples), True), mode='loss')
    assert torch.isfinite(out['loss'])
    out['loss'].backward()
    return out


@pytest.mark.parametrize(
    'points', [np.zeros((0, 4)), np.ones((1, 4))],
    ids=['empty scan', 'one point'])
def test_tiny_scans_are_skipped_and_counted(data_root, points):
    write(data_root, points)
    ds = dataset(data_root)
    before = DOSMultiView.num_skipped
    sample = ds[0]  # mmengine draws another scan (perhaps 0 again first)
    assert DOSMultiView.num_skipped >= before + 1
    assert '000000' not in sample['data_samples'].lidar_path


def test_a_dataset_of_empty_scans_stops_with_the_reason(
        data_root, monkeypatch):
    for path in (data_root / 'sequences').glob('*/velodyne/*.bin'):
        path.write_bytes(b'')  # every scan empty
    monkeypatch.setattr(DOSMultiView, 'num_kept', 0)
    monkeypatch.setattr(DOSMultiView, 'num_skipped', 0)
    with pytest.raises(NoUsableScan) as err:
        dataset(data_root)[0]
    msg = str(err.value)
    assert 'the first 50 scans drawn were all skipped' in msg
    assert '.bin: 0 finite points (< min_points=32' in msg


def test_nan_inf_points_are_dropped_counted_and_logged(data_root, mm_log):
    pts = points_of(data_root)
    pts[:50, 0] = np.nan
    pts[50:60, 2] = np.inf
    write(data_root, pts)
    scans, points = (DOSMultiView.num_nonfinite_scans,
                     DOSMultiView.num_nonfinite_points)
    sample = dataset(data_root)[0]
    assert DOSMultiView.num_nonfinite_scans == scans + 1
    assert DOSMultiView.num_nonfinite_points == points + 60
    assert sample['data_samples'].dos_nonfinite_points == 60
    assert re.search(rf'dropped 60 of {len(pts)} points of \S*000000\.bin',
                     mm_log.text)
    for view in sample['inputs']['views']:
        assert torch.isfinite(view['points']).all()
    one_step([sample])


def test_a_float64_scan_is_refused_naming_the_dtype(data_root):
    pts = points_of(data_root)
    pts.astype(np.float64).tofile(data_root / SCAN)  # size fits float32 too
    with pytest.raises(UnreadableScan) as err:
        dataset(data_root)[0]
    msg = str(err.value)
    assert '000000.bin' in msg and 'beyond 10000 m' in msg
    assert 'probably written as float64' in msg
    before = CheckedLoadPointsFromFile.num_skipped
    sample = dataset(data_root, skip_unreadable=True)[0]
    assert CheckedLoadPointsFromFile.num_skipped >= before + 1
    assert '000000' not in sample['data_samples'].lidar_path
    # values in another unit (millimetres) are refused without the hint
    write(data_root, pts * [1e3, 1e3, 1e3, 1] + [2e4, 0, 0, 0])
    with pytest.raises(UnreadableScan, match='not LiDAR points') as err:
        dataset(data_root)[0]
    assert 'probably written as float64' not in str(err.value)


def test_scans_out_of_range_are_named_and_a_run_of_them_stops(
        data_root, mm_log):
    ds = dataset(data_root)
    samples = [ds[0], ds[1]]
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG))
    cfg.model.max_empty_steps = 3
    model = MODELS.build(cfg.model)
    model.train()
    far = samples[1]['inputs']['views']
    for view in far:
        view['points'][:, :2] += 5000.0  # all of scan 1 out of range
    out = model(
        **model.data_preprocessor(pseudo_collate(samples), True), mode='loss')
    assert float(out['empty_scan_fraction']) == 0.5
    name = samples[1]['data_samples'].lidar_path
    assert f'scan {name} has no point inside point_cloud_range' in mm_log.text
    assert model.empty_steps.in_row == 0  # scan 0 kept the step alive
    for view in samples[0]['inputs']['views']:
        view['points'][:, :2] += 5000.0  # now every scan
    batch = pseudo_collate(samples)
    for _ in range(2):
        out = model(**model.data_preprocessor(batch, True), mode='loss')
        assert float(out['loss']) == 0.0
    assert model.empty_steps.num_empty_steps == 2
    with pytest.raises(NothingInRange) as err:
        model(**model.data_preprocessor(batch, True), mode='loss')
    msg = str(err.value)
    assert '3 steps in a row' in msg and name in msg
    assert 'point_cloud_range [' in msg


@pytest.mark.parametrize(
    'config', [TINY_CONFIG, MINKUNET], ids=['hard voxels', 'minkunet voxels'])
def test_far_and_duplicated_points_train(data_root, config):
    pts = points_of(data_root)
    far = np.array([[1e7, 1e5, 10, 0.5], [-3e4, 2e6, -50, 0.1]])
    write(data_root, np.concatenate([pts, pts, far]))  # every point twice
    ds = dataset(data_root)
    one_step([ds[0], ds[1]], config)


@pytest.mark.parametrize('damage', ['truncated', 'missing'])
def test_unreadable_files_raise_naming_the_file(data_root, damage):
    path = data_root / SCAN
    if damage == 'truncated':
        path.write_bytes(path.read_bytes()[:-6])  # not whole points
        match = r'000000\.bin: \d+ bytes is not a whole number of points'
    else:
        path.unlink()
        match = r'000000\.bin: cannot be read'
    with pytest.raises(UnreadableScan, match=match):
        dataset(data_root)[0]
    # told to skip: counted, logged, another scan comes instead
    before = CheckedLoadPointsFromFile.num_skipped
    sample = dataset(data_root, skip_unreadable=True)[0]
    assert CheckedLoadPointsFromFile.num_skipped >= before + 1
    assert '000000' not in sample['data_samples'].lidar_path


def test_masking_never_hides_every_point(data_root):
    """A mask ratio of 1 is refused; just below it, one block per scan stays
    visible (a view with nothing observable is a counted zero:
    test_dos.py::test_nothing_observable_gives_a_finite_zero)."""
    ds = dataset(data_root)
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG))
    cfg.model.schedule.update(mask_ratio=0.999, mask_warmup=0.0)  # at once
    model = MODELS.build(cfg.model)
    model.train()
    data = model.data_preprocessor(pseudo_collate([ds[0], ds[1]]), True)
    for view in data['inputs']['views']:
        assert 0 < view['num_visible'] < view['num_points']
    out = model(**data, mode='loss')
    assert torch.isfinite(out['loss'])
    model.data_preprocessor.mask_ratio = 1.0
    with pytest.raises(ValueError, match=r'mask ratio must be in \[0, 1\)'):
        model.data_preprocessor(pseudo_collate([ds[0]]), True)


def test_crops_that_leave_nothing_are_skipped():
    t = DOSMultiView(crop_ratio=(1e-4, 1e-4), min_view_points=8, seed=0)
    pts = np.random.default_rng(0).uniform(-20, 20, (5000, 4))
    before = DOSMultiView.num_skipped
    assert t(dict(points=pts.astype(np.float32))) is None
    assert DOSMultiView.num_skipped == before + 1


def train(work_dir, data_root, iters, *extra):
    return subprocess.run([
        sys.executable,
        str(REPO / 'tools/train.py'),
        str(TINY_CONFIG), '--work-dir',
        str(work_dir), '--cfg-options', f'train_cfg.max_iters={iters}',
        f'train_dataloader.dataset.data_root={data_root}/',
        'default_hooks.checkpoint.interval=2', *extra
    ],
                          capture_output=True,
                          text=True,
                          timeout=600)


def test_corrupt_and_mismatched_checkpoints_stop_before_training(
        tmp_path, synthetic_root):
    work = tmp_path / 'work'
    assert train(work, synthetic_root, 2).returncode == 0
    good = (work / 'iter_2.pth').read_bytes()
    # another config's checkpoint (K = 16 instead of 32)
    other = train(work, synthetic_root, 3,
                  'model.encoder.head.num_prototypes=16',
                  'model.head.target.num_prototypes=16', '--resume')
    assert other.returncode != 0
    assert 'iter_2.pth does not fit' in other.stderr
    assert 'prototypes' in other.stderr
    # a damaged file (e.g. a copy cut short)
    corrupt = tmp_path / 'cut.pth'
    corrupt.write_bytes(good[:len(good) // 2])
    cut = train(work, synthetic_root, 3, '--resume', str(corrupt))
    assert cut.returncode != 0
    assert 'cut.pth: cannot be read as a checkpoint' in cut.stderr
    assert (work / 'iter_2.pth').read_bytes() == good  # nothing lost
