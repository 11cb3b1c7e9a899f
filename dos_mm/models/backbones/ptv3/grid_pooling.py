"""Stride-2 grid pooling of serialized cells, and its up-cast."""
from typing import Tuple

import torch
from torch import Tensor, nn


def parent_cells(coors: Tensor, code: Tensor) -> Tuple[Tensor, Tensor]:
    """Group cells by their stride-2 parent, read from a serialized code.

    Both curves are nested, so ``code >> 3`` is equal for exactly the (up
    to) eight children of one parent cell; ``torch.unique`` on it keeps
    the parents in the curve's order.

    Args:
        coors (Tensor): (N, 4) int cells (scan, x, y, z).
        code (Tensor): (N,) int64 serialized code of each cell.

    Returns:
        tuple: ``parents`` (M, 4) int64 (scan, x // 2, y // 2, z // 2) and
        ``inverse`` (N,), the parent row of each cell.
    """
    keys, inverse = torch.unique(code >> 3, return_inverse=True)
    rows = torch.arange(len(code), device=code.device)
    first = rows.new_full(
        (len(keys), ),
        len(code)).scatter_reduce(0, inverse, rows,
                                  'amin')  # (M,) one child of each parent
    parents = coors[first].long()
    parents[:, 1:] = parents[:, 1:] >> 1
    return parents, inverse


def upcast(coarse: Tensor, inverse: Tensor) -> Tensor:
    """Features (N, C) of the children: each takes its parent's row of
    ``coarse`` (M, C); ``inverse`` (N,) from :func:`parent_cells`."""
    return coarse.index_select(0, inverse)


class GridPooling(nn.Module):
    """Project, then max-pool the children of each stride-2 parent.

    ``torch.scatter_reduce`` does the pooling (torch-scatter has no wheel
    for this stack); BatchNorm and GELU follow, as in PTv3.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.proj = nn.Linear(in_channels, out_channels)
        self.norm = nn.BatchNorm1d(out_channels, eps=1e-3, momentum=0.01)
        self.act = nn.GELU()

    def forward(self, feats: Tensor, coors: Tensor,
                code: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Args: feats (N, C_in); coors (N, 4); code (N,) of a curve.

        Returns:
            tuple: pooled features (M, C_out), parent cells (M, 4), and
            ``inverse`` (N,).
        """
        parents, inverse = parent_cells(coors, code)
        x = self.proj(feats)  # (N, C_out)
        index = inverse[:, None].expand_as(x)
        pooled = x.new_zeros(len(parents), x.shape[1]).scatter_reduce(
            0, index, x, 'amax', include_self=False)  # (M, C_out)
        return self.act(self.norm(pooled)), parents, inverse
