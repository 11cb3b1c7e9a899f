"""Match cells across views by their original (pre-augmentation) position."""
from typing import Tuple

import torch
from torch import Tensor


def match_nearest(query_xyz: Tensor,
                  query_scan: Tensor,
                  ref_xyz: Tensor,
                  ref_scan: Tensor,
                  radius: float,
                  chunk: int = 4096) -> Tuple[Tensor, Tensor]:
    """Nearest reference cell of the same scan within ``radius``.

    Distances are exact (chunked ``torch.cdist`` per scan), so memory stays
    at ``chunk x refs_per_scan`` floats.

    Args:
        query_xyz (Tensor): (M, 3) original coordinates of the query cells.
        query_scan (Tensor): (M,) scan index of the query cells.
        ref_xyz (Tensor): (R, 3) original coordinates of reference cells.
        ref_scan (Tensor): (R,) scan index of reference cells.
        radius (float): largest accepted distance (metres).
        chunk (int): queries per distance block.

    Returns:
        tuple[Tensor, Tensor]: (M,) int64 index into the references (0 where
        unmatched) and (M,) bool matched.
    """
    index = torch.zeros(len(query_xyz), dtype=torch.long,
                        device=query_xyz.device)
    matched = torch.zeros(len(query_xyz), dtype=torch.bool,
                          device=query_xyz.device)
    if len(query_xyz) == 0 or len(ref_xyz) == 0:
        return index, matched
    for scan in torch.unique(query_scan).tolist():
        q_rows = torch.nonzero(query_scan == scan).squeeze(1)
        r_rows = torch.nonzero(ref_scan == scan).squeeze(1)
        if len(r_rows) == 0:
            continue
        refs = ref_xyz[r_rows].float()
        for lo in range(0, len(q_rows), chunk):
            rows = q_rows[lo:lo + chunk]
            # no matrix-product shortcut: its error grows with |xyz|
            # (cm at 50 m), enough to pick the wrong neighbouring cell
            dist = torch.cdist(
                query_xyz[rows].float(),
                refs,
                compute_mode='donot_use_mm_for_euclid_dist')  # (m, r)
            best, arg = dist.min(dim=1)
            ok = best <= radius
            index[rows] = torch.where(ok, r_rows[arg], 0)
            matched[rows] = ok
    return index, matched
