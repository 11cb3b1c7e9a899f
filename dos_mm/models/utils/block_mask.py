"""Block masking: hide a random fraction of the non-empty cubic blocks."""
from typing import Optional

import torch
from torch import Tensor

from .cells import unique_cells


def block_mask(xyz: Tensor,
               batch: Tensor,
               block_size: float,
               ratio: float,
               generator: Optional[torch.Generator] = None) -> Tensor:
    """Mask ``floor(ratio * n_b)`` of the n_b non-empty blocks of each scan.

    Blocks are the cells of a cubic grid of edge ``block_size`` anchored at
    the origin of the view. At least one block of every scan stays visible.

    Args:
        xyz (Tensor): (P, 3) point coordinates of the view.
        batch (Tensor): (P,) int64 scan index of each point.
        block_size (float): block edge in metres (> 0).
        ratio (float): fraction of non-empty blocks to mask, in [0, 1).
        generator (torch.Generator, optional): random source.

    Returns:
        Tensor: (P,) bool, True where the point is masked (hidden from the
        student).
    """
    if not block_size > 0:
        raise ValueError(f'block_size must be > 0, got {block_size}')
    if not 0 <= ratio < 1:
        raise ValueError(f'mask ratio must be in [0, 1), got {ratio}')
    if xyz.numel() == 0 or ratio == 0:
        return torch.zeros(len(xyz), dtype=torch.bool, device=xyz.device)
    blocks = torch.floor(xyz / block_size).long()  # (P, 3)
    blocks = blocks - blocks.min(0)[0]  # non-negative for key packing
    uniq, inverse = unique_cells(
        torch.cat([batch[:, None].long(), blocks], dim=1))  # (B, 4)
    block_scan = uniq[:, 0]  # (B,)
    scores = torch.rand(
        len(uniq), generator=generator, device='cpu').to(xyz.device)  # (B,)
    # order blocks by (scan, score); the position within the scan is a rank
    order = torch.argsort(block_scan.double() * 2 + scores.double())
    num_scans = int(block_scan.max()) + 1
    count = torch.bincount(block_scan, minlength=num_scans)  # (S,)
    start = torch.cumsum(count, 0) - count
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order), device=xyz.device)
    rank = rank - start[block_scan]  # (B,) 0-based rank within scan
    num_masked = torch.floor(count.double() * ratio).long()
    num_masked = torch.minimum(num_masked, (count - 1).clamp(min=0))
    block_masked = rank < num_masked[block_scan]  # (B,)
    return block_masked[inverse]
