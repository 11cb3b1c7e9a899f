import numpy as np
import pytest
import torch
from mmdet3d.registry import TRANSFORMS
from mmdet3d.structures import Det3DDataSample
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

import dos_mm  # noqa: F401


def _scan(n, seed=0):
    rng = np.random.default_rng(seed)
    xyz = rng.uniform(-20, 20, size=(n, 3))
    return np.concatenate([xyz, rng.uniform(0, 1, size=(n, 1))],
                          1).astype(np.float32)


@pytest.fixture
def pipeline():
    init_default_scope('mmdet3d')
    return Compose([
        dict(type='DOSMultiView', crop_ratio=(0.5, 0.9), seed=0),
        dict(type='PackDOSInputs'),
    ])


def test_pack_views_as_tensors(pipeline):
    scan = _scan(400)
    scan[7, 0] = np.nan
    packed = pipeline(
        dict(points=scan, lidar_path='seq/000003.bin', sample_idx=3))
    assert set(packed) == {'inputs', 'data_samples'}
    views = packed['inputs']['views']
    assert isinstance(views, list) and len(views) == 2
    for view in views:
        assert set(view) == {'points', 'orig_coord', 'orig_idx'}
        assert all(isinstance(v, torch.Tensor) for v in view.values())
        n = len(view['orig_idx'])
        assert view['points'].shape == (n, 4)
        assert view['orig_coord'].shape == (n, 3)
        assert view['points'].dtype == torch.float32
        assert view['orig_idx'].dtype == torch.int64
        idx = view['orig_idx'].numpy()
        assert np.array_equal(view['orig_coord'].numpy(), scan[idx, :3])
    assert len(views[0]['orig_idx']) != len(views[1]['orig_idx']) or \
        not torch.equal(views[0]['points'], views[1]['points'])
    sample = packed['data_samples']
    assert isinstance(sample, Det3DDataSample)
    assert sample.metainfo['lidar_path'] == 'seq/000003.bin'
    assert sample.metainfo['sample_idx'] == 3
    assert sample.metainfo['dos_nonfinite_points'] == 1
    assert 'gt_pts_seg' not in sample  # labels are never packed


def test_pack_keeps_the_views_values():
    init_default_scope('mmdet3d')
    results = TRANSFORMS.build(dict(type='DOSMultiView', seed=1))(
        dict(points=_scan(300), lidar_path='x.bin'))
    expected = [{
        k: v.copy()
        for k, v in view.items()
    } for view in results['dos_views']]
    packed = TRANSFORMS.build(dict(type='PackDOSInputs'))(results)
    for view, ref in zip(packed['inputs']['views'], expected):
        for key, value in ref.items():
            assert np.array_equal(view[key].numpy(), value)


def test_pseudo_collate_gives_views_then_batch(pipeline):
    samples = [
        pipeline(
            dict(points=_scan(300 + 50 * b, seed=b), lidar_path=f'{b}.bin'))
        for b in range(2)
    ]
    batch = pseudo_collate(samples)
    views = batch['inputs']['views']
    assert len(views) == 2
    for v in range(2):
        for key in ('points', 'orig_coord', 'orig_idx'):
            assert len(views[v][key]) == 2
            for b in range(2):
                assert torch.equal(views[v][key][b],
                                   samples[b]['inputs']['views'][v][key])
    assert [s.metainfo['lidar_path']
            for s in batch['data_samples']] == ['0.bin', '1.bin']
