"""PTv3 grid pooling: parents, inverse maps, max over children, up-cast."""
import torch

from dos_mm.models.backbones.ptv3.grid_pooling import (GridPooling,
                                                       parent_cells, upcast)
from dos_mm.models.backbones.ptv3.serialization import serialize


def cells(n=800, seed=0):
    g = torch.Generator().manual_seed(seed)
    xyz = torch.randint(0, 20, (n, 3), generator=g)
    scan = torch.randint(0, 2, (n, 1), generator=g)
    return torch.unique(torch.cat([scan, xyz], 1), dim=0)


def test_parents_are_the_stride_two_cells_in_curve_order():
    coors = cells()
    codes, _ = serialize(coors, ['hilbert'], 5)
    parents, inverse = parent_cells(coors, codes[0])
    expect = torch.unique(
        torch.cat([coors[:, :1], coors[:, 1:] >> 1], 1), dim=0)
    assert len(parents) == len(expect)
    assert torch.equal(torch.unique(parents, dim=0), expect)
    # each child maps to its own parent
    child_parent = coors.clone()
    child_parent[:, 1:] >>= 1
    assert torch.equal(parents[inverse], child_parent)
    # parents come sorted by the curve (the pooled level is serialized)
    assert ((codes[0] >> 3)[torch.argsort(inverse, stable=True)].diff()
            >= 0).all()


def test_pooling_is_the_max_of_the_projected_children():
    torch.manual_seed(0)
    coors = cells(300, seed=1)
    codes, _ = serialize(coors, ['z'], 5)
    pool = GridPooling(6, 4).eval()
    pool.norm.running_mean.normal_()
    feats = torch.randn(len(coors), 6)
    out, parents, inverse = pool(feats, coors, codes[0])
    proj = pool.proj(feats)
    expect = torch.stack(
        [proj[inverse == m].max(0)[0] for m in range(len(parents))])
    torch.testing.assert_close(out, pool.act(pool.norm(expect)))


def test_upcast_gives_each_child_its_parents_feature():
    coors = cells(200, seed=2)
    codes, _ = serialize(coors, ['z-trans'], 5)
    parents, inverse = parent_cells(coors, codes[0])
    coarse = torch.randn(len(parents), 3)
    fine = upcast(coarse, inverse)
    assert fine.shape == (len(coors), 3)
    assert torch.equal(fine[5], coarse[inverse[5]])
