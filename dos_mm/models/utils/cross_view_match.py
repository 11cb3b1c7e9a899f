"""Match cells across views by their original (pre-augmentation) position."""
from typing import Tuple

import torch
from torch import Tensor

from .cells import pack_keys

# the 27 neighbouring buckets of a bucket (including itself)
_OFFSETS = torch.stack(
    torch.meshgrid(*[torch.arange(-1, 2)] * 3, indexing='ij'), -1).view(-1, 3)


def match_nearest(query_xyz: Tensor,
                  query_scan: Tensor,
                  ref_xyz: Tensor,
                  ref_scan: Tensor,
                  radius: float,
                  chunk: int = 65536) -> Tuple[Tensor, Tensor]:
    """Nearest reference cell of the same scan within ``radius``.

    Exact and vectorised: references are hashed into buckets of edge
    ``radius``; a reference within ``radius`` of a query lies in one of the
    27 buckets around the query's, so only those candidates are compared
    (distances as plain differences, no matrix-product shortcut). Ties go to
    the lower reference index.

    Args:
        query_xyz (Tensor): (M, 3) original coordinates of the query cells.
        query_scan (Tensor): (M,) scan index of the query cells.
        ref_xyz (Tensor): (R, 3) original coordinates of reference cells.
        ref_scan (Tensor): (R,) scan index of reference cells.
        radius (float): largest accepted distance (metres), > 0.
        chunk (int): queries per block (bounds the candidate memory).

    Returns:
        tuple[Tensor, Tensor]: (M,) int64 index into the references (0 where
        unmatched) and (M,) bool matched.
    """
    dev = query_xyz.device
    index = torch.zeros(len(query_xyz), dtype=torch.long, device=dev)
    matched = torch.zeros(len(query_xyz), dtype=torch.bool, device=dev)
    if len(query_xyz) == 0 or len(ref_xyz) == 0 or not radius > 0:
        return index, matched
    # two buckets of margin: every bucket index, minus one, stays >= 0
    corner = torch.minimum(query_xyz.min(0)[0], ref_xyz.min(0)[0]) - \
        2 * radius
    ref_bucket = torch.floor((ref_xyz - corner) / radius).long()
    ref_keys = pack_keys(torch.cat([ref_scan[:, None].long(), ref_bucket], 1))
    sorted_keys, order = torch.sort(ref_keys)
    offsets = _OFFSETS.to(dev)
    for lo in range(0, len(query_xyz), chunk):
        q = query_xyz[lo:lo + chunk]
        m = len(q)
        bucket = torch.floor((q - corner) / radius).long()
        nb = bucket[:, None, :] + offsets[None]  # (m, 27, 3)
        scan = query_scan[lo:lo + chunk, None, None].long().expand(m, 27, 1)
        keys = pack_keys(torch.cat([scan, nb], 2).view(-1, 4))  # (m * 27,)
        first = torch.searchsorted(sorted_keys, keys)
        count = torch.searchsorted(sorted_keys, keys, right=True) - first
        total = int(count.sum())
        if total == 0:
            continue
        qi = torch.arange(m, device=dev).repeat_interleave(27)
        qi = qi.repeat_interleave(count)  # (total,) query of each candidate
        start = torch.cumsum(count, 0) - count
        step = torch.arange(total, device=dev) - start.repeat_interleave(count)
        cand = order[first.repeat_interleave(count) + step]  # (total,)
        d2 = ((q[qi] - ref_xyz[cand])**2).sum(1)
        best = torch.full((m, ), float('inf'), device=dev, dtype=d2.dtype)
        best.scatter_reduce_(0, qi, d2, 'amin')
        is_best = d2 == best[qi]
        arg = torch.full((m, ), len(ref_xyz), device=dev, dtype=torch.long)
        arg.scatter_reduce_(0, qi[is_best], cand[is_best], 'amin')
        ok = best <= radius * radius
        index[lo:lo + m] = torch.where(ok, arg, torch.zeros_like(arg))
        matched[lo:lo + m] = ok
    return index, matched
