import math

import pytest
import torch

from dos_mm.models.utils.block_mask import block_mask


def _view(seed=0, sizes=(300, 200, 50)):
    """Points of several scans of one view, scans interleaved."""
    gen = torch.Generator().manual_seed(seed)
    xyz, batch = [], []
    for scan, num in enumerate(sizes):
        extent = torch.tensor([8.0, 6.0, 2.0]) * (scan + 1) / len(sizes)
        xyz.append((torch.rand(num, 3, generator=gen) - 0.5) * 2 * extent)
        batch.append(torch.full((num, ), scan, dtype=torch.long))
    xyz, batch = torch.cat(xyz), torch.cat(batch)
    perm = torch.randperm(len(xyz), generator=gen)
    return xyz[perm], batch[perm]


def _blocks(xyz, batch, size):
    """(P,) id of each point's non-empty block, via Python tuples."""
    keys = [(int(b), ) + tuple(int(math.floor(v / size)) for v in p)
            for p, b in zip(xyz.tolist(), batch.tolist())]
    ids = {k: i for i, k in enumerate(sorted(set(keys)))}
    block = torch.tensor([ids[k] for k in keys])
    block_scan = torch.tensor([k[0] for k in sorted(ids)])
    return block, block_scan


@pytest.mark.parametrize('ratio', [0.3, 0.6, 0.9])
@pytest.mark.parametrize('size', [0.5, 1.0, 2.5])
def test_masks_floor_ratio_of_blocks_per_scan(ratio, size):
    xyz, batch = _view()
    masked = block_mask(xyz, batch, size, ratio,
                        torch.Generator().manual_seed(1))
    assert masked.dtype == torch.bool and masked.shape == (len(xyz), )
    block, block_scan = _blocks(xyz, batch, size)
    # all points of a block share its flag
    flag = torch.zeros(len(block_scan), dtype=torch.bool)
    flag[block[masked]] = True  # block masked if any of its points is
    assert torch.equal(flag[block], masked)
    for scan in range(3):
        n_blocks = int((block_scan == scan).sum())
        n_masked = int(flag[block_scan == scan].sum())
        assert n_masked == math.floor(ratio * n_blocks)
        assert n_masked < n_blocks  # a visible block in every scan


def test_one_block_scan_stays_visible():
    xyz = torch.tensor([[0.1, 0.1, 0.1], [0.2, 0.3, 0.4], [5.5, 0.5, 0.5],
                        [7.5, 0.5, 0.5]])
    batch = torch.tensor([0, 0, 1, 1])
    masked = block_mask(xyz, batch, 1.0, 0.99)
    # scan 0 has one block: none masked; scan 1 has two: one masked
    assert masked[:2].tolist() == [False, False]
    assert masked[2:].sum() == 1


def test_missing_scan_index():
    xyz, batch = _view(sizes=(100, 100))
    batch = batch * 2  # scans 0 and 2, none with index 1
    masked = block_mask(xyz, batch, 1.0, 0.5, torch.Generator().manual_seed(0))
    block, block_scan = _blocks(xyz, batch, 1.0)
    for scan in (0, 2):
        n_blocks = int((block_scan == scan).sum())
        n_masked = len(torch.unique(block[masked & (batch == scan)]))
        assert n_masked == n_blocks // 2


def test_reproducible_and_random():
    xyz, batch = _view()
    first = block_mask(xyz, batch, 1.0, 0.6, torch.Generator().manual_seed(7))
    again = block_mask(xyz, batch, 1.0, 0.6, torch.Generator().manual_seed(7))
    assert torch.equal(first, again)
    others = [
        block_mask(xyz, batch, 1.0, 0.6,
                   torch.Generator().manual_seed(s)) for s in range(8)
    ]
    assert any(not torch.equal(first, o) for o in others)
    # every point gets masked under some seed: no block is always spared
    seen = torch.stack(others + [first]).any(0)
    assert seen.float().mean() > 0.95


def test_ratio_zero_and_empty():
    xyz, batch = _view()
    assert not block_mask(xyz, batch, 1.0, 0.0).any()
    empty = block_mask(
        torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), 1.0, 0.6)
    assert empty.shape == (0, ) and empty.dtype == torch.bool


def test_block_grid_is_anchored_at_zero():
    # 1 m blocks: x in [0, 1) and [1, 2) are two blocks whatever the
    # view's minimum, so masking one block never splits [0.2, 0.9]
    xyz = torch.tensor([[0.2, 0., 0.], [0.9, 0., 0.], [1.1, 0., 0.],
                        [1.8, 0., 0.]])
    batch = torch.zeros(4, dtype=torch.long)
    for seed in range(5):
        masked = block_mask(xyz, batch, 1.0, 0.5,
                            torch.Generator().manual_seed(seed))
        assert masked[0] == masked[1] and masked[2] == masked[3]
        assert masked.sum() == 2


@pytest.mark.parametrize('size, ratio', [(0.0, 0.5), (-1.0, 0.5),
                                         (float('nan'), 0.5), (1.0, 1.0),
                                         (1.0, -0.1), (1.0, 1.5)])
def test_bad_arguments(size, ratio):
    xyz, batch = _view(sizes=(10, ))
    with pytest.raises(ValueError):
        block_mask(xyz, batch, size, ratio)
