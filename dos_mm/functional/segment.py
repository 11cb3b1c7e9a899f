"""Segment (per-scene) reductions over the rows of a 2-D tensor.

A batch holds the rows (cells) of several scenes stacked along dim 0; ``seg``
gives the scene index of each row. All reductions here run over the ROWS of
one segment, separately for every column, and are fully vectorised.
"""
from typing import Optional

import torch
from torch import Tensor


def check_segments(x: Tensor, seg: Tensor, num_segments: int) -> None:
    """Validate a row tensor and its segment ids.

    Args:
        x (Tensor): Values of shape (N, K).
        seg (Tensor): Segment id of each row, integer tensor of shape (N,),
            every value in ``[0, num_segments)``.
        num_segments (int): Number of segments S, at least 1.

    Raises:
        ValueError: If any of the above does not hold.
    """
    if x.dim() != 2:
        raise ValueError(f'x must be 2-D (N, K), got shape {tuple(x.shape)}')
    if seg.dim() != 1 or seg.shape[0] != x.shape[0]:
        raise ValueError(f'seg must have shape ({x.shape[0]},) to match x, '
                         f'got {tuple(seg.shape)}')
    if seg.dtype not in (torch.int64, torch.int32):
        raise ValueError(f'seg must be an int64/int32 tensor, got {seg.dtype}')
    if int(num_segments) < 1:
        raise ValueError(f'num_segments must be >= 1, got {num_segments}')
    # one host-device synchronisation; the values only for the message
    if seg.numel() > 0 and bool(((seg < 0) | (seg >= num_segments)).any()):
        raise ValueError(f'seg values must lie in [0, {num_segments}), '
                         f'got min {int(seg.min())} and max {int(seg.max())}')


def check_paired_rows(target: Tensor, student: Tensor, seg: Tensor,
                      num_segments: int, names: str) -> None:
    """:func:`check_segments` on ``student``, and ``target`` of the same
    shape; ``names`` ('target, student') name both in the error."""
    check_segments(student, seg, num_segments)
    if target.shape != student.shape:
        first, second = (n.strip() for n in names.split(','))
        raise ValueError(f'{first} shape {tuple(target.shape)} does not match '
                         f'{second} shape {tuple(student.shape)}')


def index_count(index: Tensor, num: int) -> Tensor:
    """(num,) int64 number of entries of ``index`` (M,) equal to each of
    ``0 .. num - 1`` (all values must lie there).

    ``torch.bincount`` with ``minlength`` would give the same, but on CUDA
    it reads the maximum back to the host on every call; a scatter-add
    does not.
    """
    out = torch.zeros(num, dtype=torch.long, device=index.device)
    return out.index_add_(0, index.long(), torch.ones_like(index.long()))


def segment_sum(x: Tensor, seg: Tensor, num_segments: int) -> Tensor:
    """Sum the rows of each segment.

    Args:
        x (Tensor): Values of shape (N, K) or (N,).
        seg (Tensor): Segment id of each row, shape (N,).
        num_segments (int): Number of segments S.

    Returns:
        Tensor: Shape (S, K) (or (S,)); empty segments give 0.
    """
    out = x.new_zeros((num_segments, ) + tuple(x.shape[1:]))
    return out.index_add(0, seg.long(), x)  # (S, K)


def segment_logsumexp(x: Tensor, seg: Tensor, num_segments: int) -> Tensor:
    """Log-sum-exp over the rows of each segment, per column.

    ``out[s, k] = log(sum_{i: seg[i] == s} exp(x[i, k]))``, computed stably by
    subtracting the per-segment, per-column maximum.

    Args:
        x (Tensor): Values of shape (N, K).
        seg (Tensor): Segment id of each row, shape (N,).
        num_segments (int): Number of segments S.

    Returns:
        Tensor: Shape (S, K), reduced over the rows (dim 0) of each segment.
        Empty segments (and columns that are -inf on every row of a segment)
        give -inf.
    """
    check_segments(x, seg, num_segments)
    seg = seg.long()
    fast = _column_shifted_logsumexp(x, seg, num_segments)
    if fast is not None:
        return fast
    index = seg[:, None].expand_as(x)  # (N, K)
    seg_max = x.new_full((num_segments, x.shape[1]), float('-inf'))
    seg_max = seg_max.scatter_reduce(
        0, index, x.detach(), reduce='amax', include_self=True)  # (S, K)
    # An all -inf (or empty) segment has max -inf; shift it by 0 instead.
    seg_max = torch.where(
        torch.isfinite(seg_max), seg_max, torch.zeros_like(seg_max))
    shifted = (x - seg_max[seg]).exp_()  # (N, K)
    total = segment_sum(shifted, seg, num_segments)  # (S, K)
    return total.log() + seg_max  # (S, K)


def _column_shifted_logsumexp(x: Tensor, seg: Tensor,
                              num_segments: int) -> Optional[Tensor]:
    """:func:`segment_logsumexp` shifted by each column's maximum over all
    rows instead of per segment (a plain reduction instead of a scatter over
    the (N, K) matrix, several times faster). None when some non-empty
    segment's column sum falls below 1e-30, where float32 would lose it:
    the caller then shifts per segment."""
    col_max = x.detach().amax(dim=0) if len(x) else x.new_zeros(x.shape[1])
    col_max = torch.where(
        torch.isfinite(col_max), col_max, torch.zeros_like(col_max))  # (K,)
    total = segment_sum((x - col_max).exp(), seg, num_segments)  # (S, K)
    present = index_count(seg, num_segments) > 0  # (S,)
    if not bool(((total.detach() > 1e-30) | ~present[:, None]).all()):
        return None
    return total.log() + col_max  # (S, K); empty segments: -inf


def segment_log_softmax(x: Tensor, seg: Tensor, num_segments: int) -> Tensor:
    """Log-softmax over the rows of each segment, per column.

    For every segment s and column k, ``exp(out[seg == s, k])`` sums to 1,
    i.e. the normalised axis is dim 0 (rows), restricted to one segment.

    Args:
        x (Tensor): Values of shape (N, K).
        seg (Tensor): Segment id of each row, shape (N,).
        num_segments (int): Number of segments S.

    Returns:
        Tensor: Shape (N, K).
    """
    lse = segment_logsumexp(x, seg, num_segments)  # (S, K)
    # index_select: its backward adds the repeats in index order
    return x - lse.index_select(0, seg.long())  # (N, K)


def mean_over_segments(per_scene: Tensor,
                       counts: Tensor,
                       valid_segments: Optional[Tensor] = None) -> Tensor:
    """Mean of ``per_scene`` (S,) over the scenes with rows (``counts``
    (S,) > 0) that ``valid_segments`` (S,) bool, if given, marks."""
    valid = counts > 0  # (S,)
    if valid_segments is not None:
        if tuple(valid_segments.shape) != tuple(valid.shape):
            raise ValueError(
                f'valid_segments must have shape {tuple(valid.shape)}'
                f', got {tuple(valid_segments.shape)}')
        valid = valid & valid_segments.to(device=valid.device, dtype=bool)
    num_valid = int(valid.sum())
    if num_valid == 0:
        raise ValueError('no scene has rows (and is valid): cannot average '
                         'the loss over scenes')
    return torch.where(valid, per_scene,
                       torch.zeros_like(per_scene)).sum() / num_valid
