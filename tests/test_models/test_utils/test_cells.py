import pytest
import torch

from dos_mm.models.utils.cells import (AXIS_BITS, SCAN_BITS, coarsen,
                                       infer_strides, lookup, pack_keys,
                                       refine, segment_mean, unique_cells,
                                       unpack_keys)


def _coords(num=200, high=(3, 50, 40, 30), seed=0):
    gen = torch.Generator().manual_seed(seed)
    cols = [torch.randint(0, h, (num, ), generator=gen) for h in high]
    return torch.stack(cols, dim=1)  # (num, 4) scan, a, b, c


def test_pack_unpack_roundtrip():
    top = (1 << AXIS_BITS) - 1
    coords = torch.cat([
        _coords(),
        torch.tensor([[0, 0, 0, 0], [(1 << SCAN_BITS) - 1, top, top, top],
                      [1, top, 0, 5]])
    ])
    keys = pack_keys(coords.int())
    assert keys.dtype == torch.int64
    assert torch.equal(unpack_keys(keys), coords)
    # distinct cells get distinct keys
    assert len(torch.unique(keys)) == len(torch.unique(coords, dim=0))


def test_pack_keys_order_is_lexicographic():
    coords = _coords(seed=1)
    order = torch.argsort(pack_keys(coords))
    rows = [tuple(r) for r in coords[order].tolist()]
    assert rows == sorted(rows)


@pytest.mark.parametrize('bad, match', [
    ([0, -1, 0, 0], 'got \\[-1, '),
    ([0, 0, 0, 1 << AXIS_BITS], 'range is too large for the voxel size'),
    ([1 << SCAN_BITS, 0, 0, 0], 'scans per batch'),
])
def test_pack_keys_out_of_range(bad, match):
    coords = torch.cat([_coords(num=3), torch.tensor([bad])])
    with pytest.raises(ValueError, match=match):
        pack_keys(coords)
    pack_keys(coords, check=False)  # trusted coordinates are not read


def test_pack_keys_empty():
    keys = pack_keys(torch.zeros(0, 4, dtype=torch.int32))
    assert keys.shape == (0, ) and keys.dtype == torch.int64


def test_unique_cells_equals_torch_unique():
    coords = _coords(num=500, high=(2, 6, 5, 4), seed=2)  # many repeats
    cells, inverse = unique_cells(coords)
    ref, ref_inverse = torch.unique(coords, dim=0, return_inverse=True)
    assert len(cells) < len(coords)
    assert torch.equal(cells, ref)
    assert torch.equal(inverse, ref_inverse)
    assert torch.equal(cells[inverse], coords)


def test_coarsen():
    coords = torch.tensor([[1, 0, 5, 7], [2, 3, 4, 15], [0, 8, 1, 16]])
    out = coarsen(coords, (1, 2, 8))
    assert torch.equal(
        out, torch.tensor([[1, 0, 2, 0], [2, 3, 2, 1], [0, 8, 0, 2]]))
    # the scan column never changes
    assert torch.equal(coarsen(coords, (4, 4, 4))[:, 0], coords[:, 0])


def test_refine_to_coarser_is_coarsen():
    coords = _coords(seed=3)
    fine = coarsen(coords, (2, 2, 2))
    assert torch.equal(
        refine(fine, (2, 2, 2), (8, 4, 8)), coarsen(coords, (8, 4, 8)))
    assert torch.equal(refine(fine, (2, 2, 2), (2, 2, 2)), fine)


def test_refine_to_finer_lands_in_the_cell():
    cells = coarsen(_coords(seed=4), (4, 4, 4))
    finer = refine(cells, (4, 4, 4), (1, 2, 4))
    # a child cell of ``cells``: coarsening it back gives the cell
    assert torch.equal(coarsen(finer, (4, 2, 1)), cells)
    assert torch.equal(finer[:, 1:],
                       cells[:, 1:] * cells.new_tensor([4, 2, 1]))


def test_lookup():
    table = torch.tensor([40, 3, 17, 9, 100])  # unsorted
    query = torch.tensor([9, 100, 5, 40, 3, 3, 1000, -1])
    row, found = lookup(query, table)
    assert found.tolist() == [
        True, True, False, True, True, True, False, False
    ]
    assert torch.equal(table[row[found]], query[found])
    assert (row[~found] == 0).all()
    row, found = lookup(query, table[:0])
    assert not found.any() and (row == 0).all()


def test_segment_mean():
    gen = torch.Generator().manual_seed(5)
    values = torch.randn(30, 4, generator=gen, dtype=torch.float64)
    index = torch.randint(0, 5, (30, ), generator=gen)
    index[index == 3] = 4  # group 3 empty
    out = segment_mean(values, index, 6)
    assert out.shape == (6, 4)
    for g in range(6):
        rows = values[index == g]
        expected = rows.mean(0) if len(rows) else values.new_zeros(4)
        torch.testing.assert_close(out[g], expected)


def test_infer_strides():
    levels = [(41, 1440, 1440), (21, 720, 720), (11, 360, 360), (5, 180, 180)]
    strides = infer_strides(levels[0], levels)
    assert strides == [(1, 1, 1), (2, 2, 2), (4, 4, 4), (8, 8, 8)]
    # anisotropic: z not downsampled at the first level
    assert infer_strides((41, 100, 60),
                         [(41, 50, 30), (21, 13, 8)]) == [(1, 2, 2), (2, 8, 8)]
