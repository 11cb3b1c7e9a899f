"""UpcastNeck: coarser levels up-cast, finer ones pooled, misses counted."""
from types import SimpleNamespace

import torch

from dos_mm.models.necks import UpcastNeck


def level(indices, features, shape):
    return SimpleNamespace(
        indices=torch.tensor(indices, dtype=torch.int32),
        features=torch.tensor(features),
        spatial_shape=shape)


def test_upcast_takes_the_parent_feature():
    coarse = level([[0, 0, 0, 0], [0, 0, 1, 1]], [[1.0], [2.0]], [4, 4, 4])
    cells = torch.tensor([[0, 0, 0, 1], [0, 1, 2, 3], [0, 0, 3, 2]])
    out = UpcastNeck()([coarse], [(4, 4, 4)], cells, (2, 2, 2))
    # (0,0,1)//2 -> (0,0,0); (1,2,3)//2 -> (0,1,1); (0,3,2)//2 -> (0,1,1)
    assert out.squeeze(1).tolist() == [1.0, 2.0, 2.0]


def test_pool_averages_finer_voxels_into_the_cell():
    fine = level([[0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 1, 1], [0, 2, 2, 2]],
                 [[1.0], [3.0], [5.0], [7.0]], [8, 8, 8])
    cells = torch.tensor([[0, 0, 0, 0], [0, 1, 1, 1]])
    neck = UpcastNeck()
    out = neck([fine], [(1, 1, 1)], cells, (2, 2, 2))
    assert out.squeeze(1).tolist() == [3.0, 7.0]  # mean(1, 3, 5) and 7
    assert neck.last_missing == 0


def test_missing_cells_get_zeros_and_are_counted():
    coarse = level([[0, 0, 0, 0]], [[4.0]], [4, 4, 4])
    cells = torch.tensor([[0, 0, 0, 0], [1, 0, 0, 0]])  # scan 1 absent
    neck = UpcastNeck()
    out = neck([coarse], [(2, 2, 2)], cells, (2, 2, 2))
    assert out.squeeze(1).tolist() == [4.0, 0.0]
    assert neck.last_missing == 1


def test_levels_are_concatenated_in_order_and_selectable():
    a = level([[0, 0, 0, 0]], [[1.0, 1.0]], [4, 4, 4])
    b = level([[0, 0, 0, 0]], [[5.0]], [2, 2, 2])
    cells = torch.tensor([[0, 0, 0, 0]])
    both = UpcastNeck()([a, b], [(2, 2, 2), (4, 4, 4)], cells, (2, 2, 2))
    assert both.tolist() == [[1.0, 1.0, 5.0]]
    only_b = UpcastNeck(levels=[1])([a, b], [(2, 2, 2), (4, 4, 4)], cells,
                                    (2, 2, 2))
    assert only_b.tolist() == [[5.0]]


def test_edge_cells_clamp_to_the_padded_level():
    """A level shrunk by padding (z: 5 cells at stride 8) still serves the
    top cells (z index 20 at stride 2 -> parent 5 -> clamped to 4)."""
    coarse = level([[0, 4, 0, 0]], [[9.0]], [5, 4, 4])
    cells = torch.tensor([[0, 20, 0, 0]])
    out = UpcastNeck()([coarse], [(8, 8, 8)], cells, (2, 2, 2))
    assert out.tolist() == [[9.0]]
