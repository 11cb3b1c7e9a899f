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
    out, _ = UpcastNeck()([coarse], [(4, 4, 4)], cells, (2, 2, 2))
    # (0,0,1)//2 -> (0,0,0); (1,2,3)//2 -> (0,1,1); (0,3,2)//2 -> (0,1,1)
    assert out.squeeze(1).tolist() == [1.0, 2.0, 2.0]


def test_pool_averages_finer_voxels_into_the_cell():
    fine = level([[0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 1, 1], [0, 2, 2, 2]],
                 [[1.0], [3.0], [5.0], [7.0]], [8, 8, 8])
    cells = torch.tensor([[0, 0, 0, 0], [0, 1, 1, 1]])
    out, missing = UpcastNeck()([fine], [(1, 1, 1)], cells, (2, 2, 2))
    assert out.squeeze(1).tolist() == [3.0, 7.0]  # mean(1, 3, 5) and 7
    assert missing.item() == 0


def test_missing_cells_get_zeros_and_are_counted():
    coarse = level([[0, 0, 0, 0]], [[4.0]], [4, 4, 4])
    cells = torch.tensor([[0, 0, 0, 0], [1, 0, 0, 0]])  # scan 1 absent
    out, missing = UpcastNeck()([coarse], [(2, 2, 2)], cells, (2, 2, 2))
    assert out.squeeze(1).tolist() == [4.0, 0.0]
    assert missing.item() == 1


def test_levels_are_concatenated_in_order_and_selectable():
    a = level([[0, 0, 0, 0]], [[1.0, 1.0]], [4, 4, 4])
    b = level([[0, 0, 0, 0]], [[5.0]], [2, 2, 2])
    cells = torch.tensor([[0, 0, 0, 0]])
    both, _ = UpcastNeck()([a, b], [(2, 2, 2), (4, 4, 4)], cells, (2, 2, 2))
    assert both.tolist() == [[1.0, 1.0, 5.0]]
    only_b, _ = UpcastNeck(levels=[1])([a, b], [(2, 2, 2), (4, 4, 4)],
                                       cells, (2, 2, 2))
    assert only_b.tolist() == [[5.0]]


def test_edge_cells_clamp_to_the_padded_level():
    """A level shrunk by padding (z: 5 cells at stride 8) still serves the
    top cells (z index 20 at stride 2 -> parent 5 -> clamped to 4)."""
    coarse = level([[0, 4, 0, 0]], [[9.0]], [5, 4, 4])
    cells = torch.tensor([[0, 20, 0, 0]])
    out, _ = UpcastNeck()([coarse], [(8, 8, 8)], cells, (2, 2, 2))
    assert out.tolist() == [[9.0]]


def test_upcast_gradient_is_bitwise_reproducible_with_threads():
    """Many cells share a parent; their gradients must add in a fixed order.
    With features[row] the backward (index_put_ with accumulate) added them
    in thread order on CPU: every call differed in the last bits, and a
    resumed run diverged from an uninterrupted one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # the race needs two threads
    try:
        _check_upcast_gradients_repeat()
    finally:
        torch.set_num_threads(threads)


def _check_upcast_gradients_repeat():
    g = torch.Generator().manual_seed(0)
    parents = torch.unique(torch.randint(0, 64, (4000, 3), generator=g), dim=0)
    indices = torch.cat([parents.new_zeros(len(parents), 1), parents], 1)
    coarse = SimpleNamespace(
        indices=indices.int(),
        features=torch.randn(len(parents), 32, generator=g).requires_grad_(),
        spatial_shape=[64, 64, 64])
    # eight cells per parent: the stride-2 children of each coarse voxel
    offsets = torch.tensor([[a, b, c] for a in (0, 1) for b in (0, 1)
                            for c in (0, 1)])
    children = (parents[:, None] * 2 + offsets).reshape(-1, 3)
    children = children[torch.randperm(len(children), generator=g)]
    cells = torch.cat([children.new_zeros(len(children), 1), children], 1)
    upstream = torch.randn(len(cells), 32, generator=g)
    grads = []
    for _ in range(5):
        out, _ = UpcastNeck()([coarse], [(4, 4, 4)], cells, (2, 2, 2))
        grads.append(torch.autograd.grad(out, coarse.features, upstream)[0])
    assert all(torch.equal(grads[0], g) for g in grads[1:])
