"""``np.long`` for mmdet3d's GT sampler (gone from numpy 1.24-1.26;
README, "Fixes to the stack")."""
from pathlib import Path

import numpy as np
import pytest

import dos_mm  # noqa: F401  (restores np.long where numpy lacks it)
from dos_mm.compat.numpy_long import restore_numpy_long

KITTI = (
    Path(__file__).resolve().parents[2] / '..' / 'shared' / 'fixtures' /
    'mmdet3d_tests_data' / 'kitti')
NUMPY = tuple(int(v) for v in np.__version__.split('.')[:2])
REMOVED = (1, 24) <= NUMPY < (2, 0)  # numpy without the alias


def _build_sampler():
    from mmdet3d.datasets.transforms.dbsampler import DataBaseSampler
    return DataBaseSampler(
        info_path=str(KITTI / 'kitti_dbinfos_train.pkl'),
        data_root=str(KITTI),
        rate=1.0,
        prepare=dict(
            filter_by_difficulty=[-1],
            filter_by_min_points=dict(Pedestrian=0)),
        classes=['Pedestrian'],
        sample_groups=dict(Pedestrian=1),
        points_loader=dict(
            type='LoadPointsFromFile',
            coord_type='LIDAR',
            load_dim=4,
            use_dim=4))


needs_kitti = pytest.mark.skipif(
    not KITTI.is_dir(), reason=f'../shared fixtures not found at {KITTI}')


def test_np_long_is_int64():
    assert np.long is np.int64
    assert np.array([1, 2], dtype=np.long).dtype == np.int64


@pytest.mark.skipif(not REMOVED, reason='numpy has its own np.long')
@pytest.mark.filterwarnings('ignore:In the future `np.long`:FutureWarning')
def test_restore_adds_alias_only_when_missing(monkeypatch):
    monkeypatch.delattr(np, 'long')
    with pytest.raises(AttributeError):
        np.long
    assert restore_numpy_long() is True
    assert np.long is np.int64
    assert restore_numpy_long() is False  # already there: untouched


def test_restore_keeps_existing_alias(monkeypatch):
    sentinel = object()
    monkeypatch.setattr(np, 'long', sentinel, raising=False)
    assert restore_numpy_long() is False
    assert np.long is sentinel


@needs_kitti
def test_db_sampler_sample_all():
    sampler = _build_sampler()
    gt_bboxes = np.zeros((0, 7), dtype=np.float32)
    gt_labels = np.zeros((0, ), dtype=np.int64)
    sampled = sampler.sample_all(gt_bboxes, gt_labels)
    assert sampled is not None
    assert sampled['gt_bboxes_3d'].shape == (1, 7)
    assert sampled['gt_labels_3d'].dtype == np.int64
    assert sampled['gt_labels_3d'].tolist() == [0]
    assert len(sampled['points']) > 0
    # the pasted points surround the sampled box centre
    centre = sampled['gt_bboxes_3d'][0, :3]
    xyz = sampled['points'].tensor.numpy()[:, :3]
    assert np.abs(xyz.mean(0)[:2] - centre[:2]).max() < 1.0


@needs_kitti
@pytest.mark.skipif(not REMOVED, reason='numpy has its own np.long')
@pytest.mark.filterwarnings('ignore:In the future `np.long`:FutureWarning')
def test_db_sampler_fails_without_alias(monkeypatch):
    sampler = _build_sampler()
    monkeypatch.delattr(np, 'long')
    with pytest.raises(AttributeError):
        sampler.sample_all(
            np.zeros((0, 7), dtype=np.float32), np.zeros((0, ),
                                                         dtype=np.int64))
