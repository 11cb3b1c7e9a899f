import pytest
import torch
from mmcv.ops import Voxelization

from dos_mm.models.data_preprocessors.sparse_voxelize import (
    hard_point_voxels, hard_voxelize, minkunet_voxelize)

PC_RANGE = [-2.0, -3.0, -1.0, 2.0, 3.0, 1.0]
VOXEL = [0.5, 0.5, 0.25]


def _scan(num, seed, channels=4):
    """Points, a few outside the range on every side, some duplicates."""
    gen = torch.Generator().manual_seed(seed)
    pts = torch.rand(num, channels, generator=gen)
    lo, hi = torch.tensor(PC_RANGE[:3]), torch.tensor(PC_RANGE[3:])
    pts[:, :3] = lo - 0.3 + pts[:, :3] * (hi - lo + 0.6)
    pts[::17] = pts[1::17][:len(pts[::17])]  # repeated points
    pts[5, :3] = hi  # exactly on the upper bound: outside
    pts[6, :3] = lo  # exactly on the lower bound: inside
    return pts


def _mmcv(points, max_points, max_voxels):
    layer = Voxelization(VOXEL, PC_RANGE, max_points, max_voxels)
    return layer(points)


@pytest.mark.parametrize('max_points, max_voxels', [(35, 20000), (3, 20000),
                                                    (1, 20000), (5, 40),
                                                    (2, 7)])
def test_hard_voxelize_equals_mmcv(max_points, max_voxels):
    points = _scan(600, seed=0)
    scan = torch.zeros(len(points), dtype=torch.long)
    out = hard_voxelize(points, scan, PC_RANGE, VOXEL, max_points, max_voxels)
    voxels, coors, num = _mmcv(points, max_points, max_voxels)
    assert out['voxels'].shape == voxels.shape
    assert torch.equal(out['voxels'], voxels)
    assert torch.equal(out['coors'][:, 1:], coors)
    assert (out['coors'][:, 0] == 0).all()
    assert torch.equal(out['num_points'], num)
    assert out['coors'].dtype == torch.int32
    assert out['num_points'].dtype == torch.int32
    if max_voxels < 100:
        assert len(coors) == max_voxels  # the cap binds
    if max_points < 5:
        assert int(num.max()) == max_points


@pytest.mark.parametrize('max_points, max_voxels', [(35, 20000), (2, 30)])
def test_hard_voxelize_batch_equals_mmcv_per_scan(max_points, max_voxels):
    scans = [_scan(500, seed=1), _scan(300, seed=2)]
    points = torch.cat(scans)
    scan = torch.cat([
        torch.full((len(s), ), i, dtype=torch.long)
        for i, s in enumerate(scans)
    ])
    # rows of the two scans interleaved at random
    perm = torch.randperm(
        len(points), generator=torch.Generator().manual_seed(3))
    out = hard_voxelize(points[perm], scan[perm], PC_RANGE, VOXEL, max_points,
                        max_voxels)
    assert torch.equal(out['coors'][:, 0],
                       torch.sort(out['coors'][:, 0])[0])  # scan-sorted
    for i, pts in enumerate(scans):
        sel = out['coors'][:, 0] == i
        own = points[perm][scan[perm] == i]
        voxels, coors, num = _mmcv(own, max_points, max_voxels)
        assert torch.equal(out['voxels'][sel], voxels)
        assert torch.equal(out['coors'][sel, 1:], coors)
        assert torch.equal(out['num_points'][sel], num)


def test_hard_voxelize_all_outside_and_empty_scan():
    inside = _scan(200, seed=4)
    outside = inside.clone()
    outside[:, 0] += 10.0  # every point beyond x1
    points = torch.cat([outside, inside])
    scan = torch.cat([torch.zeros(200), torch.ones(200)]).long()
    out = hard_voxelize(points, scan, PC_RANGE, VOXEL, 5, 1000)
    voxels, coors, num = _mmcv(inside, 5, 1000)
    assert (out['coors'][:, 0] == 1).all()
    assert torch.equal(out['voxels'], voxels)
    assert torch.equal(out['coors'][:, 1:], coors)
    assert not out['inside'][:200].any()
    empty = hard_voxelize(outside, scan[:200], PC_RANGE, VOXEL, 5, 1000)
    assert empty['voxels'].shape == (0, 5, 4)
    assert empty['coors'].shape == (0, 4) and len(empty['num_points']) == 0


def test_point_voxels_consistent_with_coors():
    points = _scan(400, seed=5)
    scan = torch.zeros(len(points), dtype=torch.long)
    out = hard_voxelize(points, scan, PC_RANGE, VOXEL, 100, 20000)
    vox, inside = hard_point_voxels(points[:, :3], scan, PC_RANGE, VOXEL)
    assert torch.equal(vox, out['point_vox'])
    assert torch.equal(inside, out['inside'])
    # inside: within [lo, hi) on every axis
    lo, hi = torch.tensor(PC_RANGE[:3]), torch.tensor(PC_RANGE[3:])
    expected = ((points[:, :3] >= lo) & (points[:, :3] < hi)).all(1)
    assert torch.equal(inside, expected)
    assert 0 < int(inside.sum()) < len(points)
    # every inside point sits in the voxel of its (scan, z, y, x) coords
    rows = {tuple(c): r for r, c in enumerate(out['coors'].tolist())}
    for p, v in zip(points[inside], vox[inside].tolist()):
        r = rows[tuple(v)]
        n = int(out['num_points'][r])
        assert (out['voxels'][r, :n] == p).all(1).any()


def test_minkunet_voxelize():
    gen = torch.Generator().manual_seed(6)
    xyz = torch.rand(300, 3, generator=gen) * 2 - 1
    points = torch.cat([xyz, torch.arange(300.)[:, None]], 1)  # id column
    scan = (torch.rand(300, generator=gen) < 0.4).long()
    size = [0.2, 0.2, 0.25]
    grid = torch.round(xyz / torch.tensor(size)).long()
    origin = torch.stack([grid[scan == b].min(0)[0] for b in (0, 1)])
    origin[1] -= 3  # any origin: coords relative to it
    out = minkunet_voxelize(points, scan, size, origin, 2)
    assert out['point_vox'].shape == (300, 4)
    assert torch.equal(out['point_vox'][:, 0], scan)
    assert torch.equal(out['point_vox'][:, 1:], grid - origin[scan])
    assert (out['point_vox'][:, 1:] >= 0).all()
    coors = out['coors']
    assert coors.dtype == torch.int32
    assert len(torch.unique(coors, dim=0)) == len(coors)
    # the voxels are exactly the cells of the points
    assert torch.equal(coors.long(), torch.unique(out['point_vox'], dim=0))
    # each voxel's feature is that of its first point
    for row, cell in enumerate(coors.long()):
        members = (out['point_vox'] == cell).all(1).nonzero().squeeze(1)
        assert torch.equal(out['voxels'][row], points[members.min()])
    assert len(coors) < 300  # some voxels hold several points
