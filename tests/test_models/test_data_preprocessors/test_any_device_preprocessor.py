import copy

import numpy as np
import pytest
import torch
from mmdet3d.models.data_preprocessors import Det3DDataPreprocessor
from mmdet3d.registry import MODELS
from mmdet3d.structures import Det3DDataSample, PointData

from dos_mm.models.data_preprocessors import AnyDeviceDet3DDataPreprocessor

VOXEL = 0.05
CFG = dict(
    type='AnyDeviceDet3DDataPreprocessor',
    voxel=True,
    voxel_type='minkunet',
    batch_first=True,
    max_voxels=80000,
    voxel_layer=dict(
        max_num_points=-1,
        point_cloud_range=[-100, -100, -20, 100, 100, 20],
        voxel_size=[VOXEL, VOXEL, VOXEL],
        max_voxels=(-1, -1)))


def _points(num, seed):
    """Points on a coarse lattice plus jitter: voxels hold several."""
    gen = torch.Generator().manual_seed(seed)
    cells = torch.randint(-20, 20, (num, 3), generator=gen).float()
    jitter = (torch.rand(num, 3, generator=gen) - 0.5) * 0.6 * VOXEL
    xyz = cells * VOXEL + jitter
    return torch.cat([xyz, torch.rand(num, 1, generator=gen)], 1)


def _labels(points):
    """A label that is a function of the voxel (so any voxel row works)."""
    cell = torch.round(points[:, :3] / VOXEL).long()
    return (cell * torch.tensor([3, 5, 7])).sum(1) % 19


def _samples(points, with_labels=True):
    samples = []
    for pts in points:
        sample = Det3DDataSample()
        seg = PointData()
        if with_labels:
            seg.pts_semantic_mask = _labels(pts)
        sample.gt_pts_seg = seg
        samples.append(sample)
    return samples


def _batch():
    return [_points(3000, 0), _points(1000, 1)]


@pytest.fixture
def preprocessor():
    pre = MODELS.build(CFG)
    assert isinstance(pre, AnyDeviceDet3DDataPreprocessor)
    return pre.eval()


def _original(pre, points, samples, monkeypatch):
    """mmdet3d's own minkunet branch, with ``.cuda()`` made a no-op."""
    monkeypatch.setattr(torch.Tensor, 'cuda', lambda self, *a, **k: self)
    return Det3DDataPreprocessor.voxelize(pre, points, samples)


@pytest.mark.parametrize('training', [False, True])
def test_equals_mmdet3d_minkunet_branch(preprocessor, training, monkeypatch):
    points = _batch()
    preprocessor.train(training)
    preprocessor.max_voxels = 500  # binds in training: random subset
    ours_samples, ref_samples = _samples(points), _samples(points)
    np.random.seed(0)
    ours = preprocessor.voxelize(points, ours_samples)
    np.random.seed(0)
    ref = _original(preprocessor, points, ref_samples, monkeypatch)
    assert torch.equal(ours['voxels'], ref['voxels'])
    assert torch.equal(ours['coors'], ref['coors'])
    assert ours['coors'].dtype == ref['coors'].dtype == torch.int32
    if training:
        assert len(ours['coors']) == 2 * 500
    for a, b in zip(ours_samples, ref_samples):
        assert torch.equal(a.point2voxel_map, b.point2voxel_map)
        assert torch.equal(a.batch_idx, b.batch_idx)
        assert torch.equal(a.gt_pts_seg.voxel_semantic_mask,
                           b.gt_pts_seg.voxel_semantic_mask)


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs CPU-only torch')
def test_mmdet3d_branch_fails_on_cpu(preprocessor):
    points = _batch()
    with pytest.raises((AssertionError, RuntimeError)):
        Det3DDataPreprocessor.voxelize(preprocessor, points, _samples(points))


def test_point2voxel_map(preprocessor):
    points = _batch()
    samples = _samples(points)
    out = preprocessor.voxelize(points, samples)
    voxels, coors = out['voxels'], out['coors']
    assert voxels.device == coors.device == points[0].device
    assert torch.equal(coors[:, 0].unique(),
                       torch.tensor([0, 1], dtype=coors.dtype))
    for i, (pts, sample) in enumerate(zip(points, samples)):
        rows = torch.nonzero(coors[:, 0] == i).squeeze(1)
        assert torch.equal(sample.batch_idx, coors[rows, 0])
        cell = torch.round(pts[:, :3] / VOXEL).long()
        cell -= cell.min(0)[0]
        p2v = sample.point2voxel_map
        assert p2v.dtype == torch.long and p2v.shape == (len(pts), )
        assert torch.equal(coors[rows][p2v, 1:].long(), cell)
        # voxels are unique cells, each holding one of its points
        assert len(torch.unique(coors[rows], dim=0)) == len(rows) < len(pts)
        vox_cell = torch.round(voxels[rows, :3] / VOXEL).long() - \
            torch.round(pts[:, :3] / VOXEL).long().min(0)[0]
        assert torch.equal(vox_cell, coors[rows, 1:].long())
        # the voxel labels are those of the points in them
        labels = sample.gt_pts_seg.voxel_semantic_mask
        assert torch.equal(labels[p2v], sample.gt_pts_seg.pts_semantic_mask)


def test_without_semantic_mask(preprocessor):
    points = _batch()
    samples = _samples(points, with_labels=False)
    preprocessor.voxelize(points, samples)
    assert 'voxel_semantic_mask' not in samples[0].gt_pts_seg
    assert samples[0].point2voxel_map.shape == (len(points[0]), )


def test_batch_last(preprocessor):
    preprocessor.batch_first = False
    points = _batch()
    samples = _samples(points)
    out = preprocessor.voxelize(points, samples)
    assert torch.equal(samples[1].batch_idx,
                       out['coors'][out['coors'][:, -1] == 1, -1])
    ref = copy.deepcopy(preprocessor)
    ref.batch_first = True
    first = ref.voxelize(points, _samples(points))
    assert torch.equal(out['coors'][:, :3], first['coors'][:, 1:])


def test_forward_on_cpu(preprocessor):
    points = _batch()
    data = dict(inputs=dict(points=points), data_samples=_samples(points))
    out = preprocessor(data, training=False)
    voxels = out['inputs']['voxels']
    assert voxels['voxels'].shape[1] == 4
    assert voxels['coors'].shape == (len(voxels['voxels']), 4)
    assert out['data_samples'][0].point2voxel_map.shape == (3000, )


def test_other_voxel_types_delegate():
    cfg = copy.deepcopy(CFG)
    cfg.update(voxel_type='hard')
    cfg['voxel_layer'].update(
        max_num_points=5,
        point_cloud_range=[-2, -2, -2, 2, 2, 2],
        voxel_size=[0.2, 0.2, 0.2],
        max_voxels=(1000, 1000))
    pre = MODELS.build(cfg).eval()
    points = _batch()
    ours = pre.voxelize(points, _samples(points))
    ref = Det3DDataPreprocessor.voxelize(pre, points, _samples(points))
    assert set(ours) == set(ref) == {
        'voxels', 'coors', 'num_points', 'voxel_centers'
    }
    for key in ref:
        assert torch.equal(ours[key], ref[key])
