import pytest
import torch
from mmdet3d.registry import MODELS
from mmdet3d.structures import Det3DDataSample
from mmengine.dataset import pseudo_collate

from dos_mm.models.data_preprocessors import DOSDataPreprocessor
from dos_mm.models.data_preprocessors.sparse_voxelize import hard_point_voxels
from dos_mm.models.utils.block_mask import block_mask

PC_RANGE = [-10, -10, -2, 10, 10, 2]
VOXEL = [0.2, 0.2, 0.2]


def _cfg(**kwargs):
    cfg = dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='hard',
        voxel_layer=dict(
            max_num_points=5,
            voxel_size=VOXEL,
            point_cloud_range=PC_RANGE,
            max_voxels=(20000, 20000)),
        block_size=1.0,
        mask_ratio=0.6,
        seed=0)
    cfg.update(kwargs)
    return cfg


def _scan_points(num, seed, outside=False):
    gen = torch.Generator().manual_seed(seed)
    xyz = (torch.rand(num, 3, generator=gen) - 0.5) * torch.tensor(
        [16.0, 16.0, 3.0])
    xyz[:10, 0] += 12.0  # a few points beyond the range in every scan
    if outside:
        xyz[:, 0] += 30.0
    return torch.cat([xyz, torch.rand(num, 1, generator=gen)], 1)


def _sample(seed, num=(800, 600), outside=False):
    """What ``PackDOSInputs`` gives for one scan: two views of it."""
    views = []
    for v in range(2):
        pts = _scan_points(num[v], seed * 10 + v, outside)
        views.append(
            dict(
                points=pts,
                orig_coord=pts[:, :3] + 0.1 * v,
                orig_idx=torch.arange(len(pts))))
    return dict(inputs=dict(views=views), data_samples=Det3DDataSample())


def _batch(outside_second=False):
    return pseudo_collate(
        [_sample(0),
         _sample(1, num=(500, 700), outside=outside_second)])


def _expected_masks(data, block_size=1.0, ratio=0.6, seed=0):
    """The masks the preprocessor draws: one seeded generator, view by
    view, over the blocks of the points inside the range."""
    gen = torch.Generator().manual_seed(seed)
    masks = []
    for view in data['inputs']['views']:
        points = torch.cat(view['points'])
        batch = torch.cat([
            torch.full((len(p), ), i, dtype=torch.long)
            for i, p in enumerate(view['points'])
        ])
        lo, hi = torch.tensor(PC_RANGE[:3]), torch.tensor(PC_RANGE[3:])
        inside = ((points[:, :3] >= lo) & (points[:, :3] < hi)).all(1)
        masked = torch.zeros(len(points), dtype=torch.bool)
        masked[inside] = block_mask(points[inside, :3], batch[inside],
                                    block_size, ratio, gen)
        masks.append((points, batch, masked))
    return masks


def _rows(coors):
    return {tuple(c) for c in coors.tolist()}


def test_batch_layout():
    data = _batch()
    views = data['inputs']['views']
    assert len(views) == 2 and len(views[0]['points']) == 2
    assert len(data['data_samples']) == 2


def test_hard_views():
    pre = MODELS.build(_cfg())
    assert isinstance(pre, DOSDataPreprocessor)
    data = _batch()
    out = pre(data, training=True)
    assert len(out['data_samples']) == 2
    assert isinstance(out['data_samples'][0], Det3DDataSample)
    views = out['inputs']['views']
    assert len(views) == 2
    for view, (points, batch, masked) in zip(views, _expected_masks(data)):
        full, visible = view['full'], view['visible']
        vox, inside = hard_point_voxels(points[:, :3], batch, PC_RANGE, VOXEL)
        assert view['num_points'] == int(inside.sum())  # points in range
        assert view['num_visible'] == int((inside & ~masked).sum())
        assert 0 < view['num_visible'] < view['num_points']
        assert view['orig_coord'].shape == (len(points), 3)
        # point_rows: the voxelised rows (inside the range, and visible)
        assert torch.equal(full['point_rows'], torch.nonzero(inside)[:, 0])
        assert torch.equal(visible['point_rows'],
                           torch.nonzero(inside & ~masked)[:, 0])
        for part in (full, visible):
            rows = part['point_rows']
            assert torch.equal(part['point_vox'], vox[rows])
            # every voxelised point lies in one of the part's voxels
            assert _rows(part['point_vox']) <= _rows(part['coors'])
            assert part['voxels'].shape[1:] == (5, 4)
            assert len(part['num_points']) == len(part['coors'])
        assert _rows(visible['coors']) <= _rows(full['coors'])
        assert len(visible['coors']) < len(full['coors'])
        # nothing of a masked point reaches the visible voxels
        slots = torch.arange(5)[None] < visible['num_points'][:, None]
        kept = visible['voxels'][slots]  # (K, 4)
        hidden = points[masked]
        assert not (kept[:, None] == hidden[None]).all(-1).any()
        assert len(kept) == len(visible['point_rows'])


def test_mask_ratio_zero_visible_equals_full():
    pre = MODELS.build(_cfg())
    pre.mask_ratio = 0.0  # what DOSScheduleHook does between iterations
    out = pre(_batch(), training=True)
    for view in out['inputs']['views']:
        assert view['num_visible'] == view['num_points']
        for key in ('voxels', 'coors', 'num_points', 'point_rows'):
            assert torch.equal(view['full'][key], view['visible'][key])


def test_seeded_masks_reproducible():
    first = MODELS.build(_cfg(seed=3))(_batch())
    again = MODELS.build(_cfg(seed=3))(_batch())
    other = MODELS.build(_cfg(seed=4))(_batch())
    rows = [v['visible']['point_rows'] for v in first['inputs']['views']]
    assert all(
        torch.equal(a, v['visible']['point_rows'])
        for a, v in zip(rows, again['inputs']['views']))
    assert not all(
        torch.equal(a, v['visible']['point_rows'])
        for a, v in zip(rows, other['inputs']['views']))


def test_scan_entirely_outside_range():
    pre = MODELS.build(_cfg())
    out = pre(_batch(outside_second=True), training=True)
    for view in out['inputs']['views']:
        for part in (view['full'], view['visible']):
            assert len(part['coors']) > 0
            assert (part['coors'][:, 0] == 0).all()
            assert (part['point_vox'][:, 0] == 0).all()


@pytest.mark.parametrize('kwargs', [
    dict(voxel_type='dynamic'),
    dict(voxel_type='cylindrical'),
    dict(voxel=False),
])
def test_invalid_voxelisation(kwargs):
    with pytest.raises(ValueError):
        MODELS.build(_cfg(**kwargs))


def test_minkunet_shared_origin():
    cfg = _cfg(voxel_type='minkunet')
    cfg['voxel_layer'].update(max_num_points=-1, max_voxels=(-1, -1))
    pre = MODELS.build(cfg)
    data = _batch()
    out = pre(data, training=True)
    expected = _expected_masks(data)
    lo, hi = torch.tensor(PC_RANGE[:3]), torch.tensor(PC_RANGE[3:])
    for view, (points, batch, masked) in zip(out['inputs']['views'], expected):
        full, visible = view['full'], view['visible']
        # points beyond point_cloud_range are left out, as in hard voxels
        inside = ((points[:, :3] >= lo) & (points[:, :3] < hi)).all(1)
        assert not inside.all()
        assert torch.equal(full['point_rows'], torch.nonzero(inside)[:, 0])
        assert torch.equal(visible['point_rows'],
                           torch.nonzero(inside & ~masked)[:, 0])
        assert view['num_visible'] == int((inside & ~masked).sum())
        # the same grid: a visible point keeps its full-view cell
        assert torch.equal(
            visible['point_vox'],
            full['point_vox'][torch.searchsorted(full['point_rows'],
                                                 visible['point_rows'])])
        assert _rows(visible['coors']) <= _rows(full['coors'])
        assert len(visible['coors']) < len(full['coors'])
        # the origin is the range's rounded lower corner, for every scan:
        # where the (masked or visible) points lie does not move it
        origin = torch.round(lo / torch.tensor(VOXEL)).long()
        for scan in range(2):
            sel = inside[full['point_rows']] & (
                batch[full['point_rows']] == scan)
            cells = full['point_vox'][sel, 1:]
            assert cells.min() >= 0
            grid = torch.round(points[inside & (batch == scan), :3] /
                               torch.tensor(VOXEL)).long()
            assert torch.equal(cells, grid - origin)
        # visible voxels hold visible points only
        hidden = points[masked]
        assert not (visible['voxels'][:, None] == hidden[None]).all(-1).any()


def test_step_seeded_masks_depend_only_on_the_step():
    """What exact resume needs: after seed_step(k) a fresh preprocessor
    masks as one that has already run k steps."""

    def masks(pre):
        out = pre(_batch())
        return [v['masked'] for v in out['inputs']['views']]

    long_run = MODELS.build(_cfg(seed=None))
    for step in range(3):
        long_run.seed_step(step, base_seed=7)
        at_step = masks(long_run)
    resumed = MODELS.build(_cfg(seed=None))
    resumed.seed_step(2, base_seed=7)
    assert all(torch.equal(a, b) for a, b in zip(at_step, masks(resumed)))
    resumed.seed_step(1, base_seed=7)
    assert not all(torch.equal(a, b) for a, b in zip(at_step, masks(resumed)))
    own = MODELS.build(_cfg(seed=5))  # its own seed wins over the runner's
    assert own.seed_step(2, base_seed=7) == own.seed_step(2, base_seed=8)
