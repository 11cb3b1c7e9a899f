"""The PTv3 encoder: levels, strides, gradients, sizes, with the neck."""
import pytest
import torch
from mmdet3d.registry import MODELS

from dos_mm.models.backbones import PointTransformerV3
from dos_mm.models.necks import UpcastNeck

SMALL = dict(
    type='PointTransformerV3',
    in_channels=4,
    channels=(8, 16, 16, 32),
    depths=(1, 1, 2, 1),
    num_heads=(2, 2, 2, 4),
    patch_size=64,
    drop_path=0.1)


def voxels(n=3000, scans=2, side=60, seed=0):
    g = torch.Generator().manual_seed(seed)
    xyz = torch.randint(0, side, (n, 3), generator=g)
    scan = torch.randint(0, scans, (n, 1), generator=g)
    coors = torch.unique(torch.cat([scan, xyz], 1), dim=0)
    return torch.randn(len(coors), 4, generator=g), coors


@pytest.fixture(scope='module')
def small():
    torch.manual_seed(0)
    model = MODELS.build(SMALL)
    model.init_weights()
    return model


def test_every_stage_is_returned_with_its_stride(small):
    feats, coors = voxels()
    levels, strides = small(feats, coors, 2)
    assert strides == [(1, 1, 1), (2, 2, 2), (4, 4, 4), (8, 8, 8)]
    assert [lv.features.shape[1] for lv in levels] == [8, 16, 16, 32]
    assert torch.equal(levels[0].indices.long(), coors)  # input rows kept
    for level, (s, _, _) in zip(levels, strides):
        cells = torch.unique(
            torch.cat([coors[:, :1], coors[:, 1:] // s], 1), dim=0)
        assert torch.equal(torch.unique(level.indices.long(), dim=0), cells)
        assert (level.indices[:, 1:].max(0)[0]
                < torch.tensor(level.spatial_shape)).all()


def test_every_parameter_gets_a_gradient(small):
    small.train()
    feats, coors = voxels(seed=1)
    levels, _ = small(feats, coors, 2)
    sum(lv.features.square().mean() for lv in levels).backward()
    missing = [n for n, p in small.named_parameters() if p.grad is None]
    assert not missing
    small.zero_grad()


def test_upcast_neck_reads_every_level_without_missing_cells(small):
    small.eval()
    feats, coors = voxels(seed=2)
    levels, strides = small(feats, coors, 2)
    cells = torch.unique(
        torch.cat([coors[:, :1], coors[:, 1:] // 4], 1), dim=0)
    out, missing = UpcastNeck()(levels, strides, cells, (4, 4, 4))
    assert out.shape == (len(cells), 8 + 16 + 16 + 32)
    assert int(missing) == 0


def test_scan_smaller_than_a_patch_and_a_single_scan_work(small):
    small.eval()
    feats, coors = voxels(n=40, scans=1, side=8, seed=3)
    levels, _ = small(feats, coors, 1)
    assert all(torch.isfinite(lv.features).all() for lv in levels)


def test_default_is_the_sonata_style_encoder():
    model = PointTransformerV3()
    assert [len(s) for s in model.stages] == [3, 3, 3, 12, 3]
    assert model.stages[3][0].attn.num_heads == 24
    assert model.patch_sizes == [1024] * 5


def test_bad_sizes_and_orders_are_refused():
    with pytest.raises(ValueError, match='depths has 2 entries for 4'):
        MODELS.build(dict(SMALL, depths=(1, 1)))
    with pytest.raises(ValueError, match="orders \\['zz'\\]"):
        MODELS.build(dict(SMALL, orders=('zz', )))
