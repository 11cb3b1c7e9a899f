"""PTv3 serialization: bijective, local, nested, scans apart."""
import pytest
import torch

from dos_mm.models.backbones.ptv3.serialization import (MAX_DEPTH, ORDERS,
                                                        curve_code, grid_depth,
                                                        serialize)


def full_cube(depth: int) -> torch.Tensor:
    side = torch.arange(2**depth)
    return torch.stack(torch.meshgrid(side, side, side, indexing='ij'),
                       -1).reshape(-1, 3)


@pytest.mark.parametrize('order', ORDERS)
@pytest.mark.parametrize('depth', [1, 2, 3, 4])
def test_each_curve_is_a_bijection_on_the_cube(order, depth):
    codes = curve_code(full_cube(depth), order, depth)
    assert torch.equal(codes.sort()[0], torch.arange(8**depth))


@pytest.mark.parametrize('order', ['hilbert', 'hilbert-trans'])
@pytest.mark.parametrize('depth', [2, 3, 4])
def test_hilbert_neighbours_on_the_curve_are_face_neighbours(order, depth):
    cube = full_cube(depth)
    walk = cube[curve_code(cube, order, depth).argsort()]
    steps = (walk[1:] - walk[:-1]).abs().sum(1)
    assert torch.equal(steps, torch.ones_like(steps))


@pytest.mark.parametrize('order', ['z', 'z-trans'])
def test_z_order_walks_each_2x2x2_block_before_leaving_it(order):
    cube = full_cube(3)
    walk = cube[curve_code(cube, order, 3).argsort()]
    blocks = (walk >> 1).view(-1, 8, 3)
    assert (blocks == blocks[:, :1]).all()
    # and consecutive cells inside a block are at most one cell apart
    assert ((walk.view(-1, 8, 3).diff(dim=1)).abs().max() <= 1)


@pytest.mark.parametrize('order', ORDERS)
def test_code_shifted_by_three_names_the_stride_two_parent(order):
    g = torch.Generator().manual_seed(0)
    cells = torch.unique(torch.randint(0, 40, (2000, 3), generator=g), dim=0)
    depth = grid_depth(cells)
    parent_of_code = curve_code(cells, order, depth) >> 3
    # equal parent codes <=> equal parent cells
    _, by_code = torch.unique(parent_of_code, return_inverse=True)
    _, by_cell = torch.unique(cells >> 1, dim=0, return_inverse=True)
    pairs = torch.unique(torch.stack([by_code, by_cell], 1), dim=0)
    assert len(pairs) == int(by_code.max()) + 1 == int(by_cell.max()) + 1


def test_trans_variant_is_the_curve_with_x_and_y_exchanged():
    cells = full_cube(3)
    for curve in ('z', 'hilbert'):
        trans = curve_code(cells, f'{curve}-trans', 3)
        assert torch.equal(trans, curve_code(cells[:, [1, 0, 2]], curve, 3))
        assert not torch.equal(trans, curve_code(cells, curve, 3))


def test_serialize_sorts_scan_by_scan():
    g = torch.Generator().manual_seed(1)
    xyz = torch.randint(0, 30, (500, 3), generator=g)
    scan = torch.randint(0, 3, (500, ), generator=g)
    codes, perm = serialize(torch.cat([scan[:, None], xyz], 1), ORDERS, 5)
    assert codes.shape == perm.shape == (4, 500)
    for row in perm:
        assert (scan[row].diff() >= 0).all()
        assert torch.equal(row.sort()[0], torch.arange(500))


def test_depth_errors_name_the_value_and_the_fix():
    with pytest.raises(ValueError, match='non-negative.*-1.*origin'):
        grid_depth(torch.tensor([[0, -1, 2]]))
    big = 2**MAX_DEPTH
    with pytest.raises(ValueError, match=f'{big}.*larger voxel size'):
        grid_depth(torch.tensor([[0, big, 2]]))
    assert grid_depth(torch.tensor([[0, 5, 2]])) == 3
    with pytest.raises(ValueError, match="unknown serialization order 'x'"):
        curve_code(torch.zeros(1, 3, dtype=torch.long), 'x', 1)
