"""The softmap KL composed from its definition: teacher softmaps, student
log-softmaps, KL per scene. Not used in training (the fused
:func:`dos_mm.functional.prototype_softmap_kl` is): the readable reference
that the tests hold the fused kernel equal to.
"""
from typing import Optional

import torch
from torch import Tensor

from .segment import (check_paired_rows, check_segments, mean_over_segments,
                      segment_log_softmax, segment_sum)


def target_softmaps(log_q: Tensor, seg: Tensor, num_segments: int) -> Tensor:
    """Teacher softmaps from a (log) transport plan.

    Args:
        log_q (Tensor): Log transport plan of shape (N, K).
        seg (Tensor): Scene id of each row, shape (N,).
        num_segments (int): Number of scenes S.

    Returns:
        Tensor: float32 probabilities of shape (N, K): for every scene s and
        column k the rows of s sum to 1 (dim 0 within a scene).
    """
    check_segments(log_q, seg, num_segments)
    log_q = log_q.float()
    return segment_log_softmax(log_q, seg, num_segments).exp_()


def student_log_softmaps(logits: Tensor, seg: Tensor,
                         num_segments: int) -> Tensor:
    """Student log-softmaps: log-softmax over the cells of each scene.

    Args:
        logits (Tensor): Student logits of shape (N, K).
        seg (Tensor): Scene id of each row, shape (N,).
        num_segments (int): Number of scenes S.

    Returns:
        Tensor: float32 of shape (N, K), normalised over the rows (dim 0) of
        each scene, per column.
    """
    return segment_log_softmax(logits.float(), seg, num_segments)


def softmap_kl(target: Tensor,
               student_log: Tensor,
               seg: Tensor,
               num_segments: int,
               valid_segments: Optional[Tensor] = None) -> Tensor:
    """Softmap KL, averaged over prototypes, then per scene, then over scenes.

    For scene s: ``L_s = (1/K) sum_k sum_{i in s} T_ik (log T_ik - logS_ik)``
    (``0 log 0 = 0``); the result is the mean of ``L_s`` over the scenes that
    have at least one row (and are marked in ``valid_segments``). The target
    is treated as a constant (no gradient).

    Args:
        target (Tensor): Target softmaps of shape (N, K), each column a
            distribution over the rows of a scene.
        student_log (Tensor): Student log-softmaps of shape (N, K).
        seg (Tensor): Scene id of each row, shape (N,).
        num_segments (int): Number of scenes S.
        valid_segments (Tensor, optional): Bool mask of shape (S,) of the
            scenes to include.

    Returns:
        Tensor: float32 scalar.
    """
    check_paired_rows(target, student_log, seg, num_segments,
                      'target, student_log')
    target = target.detach().float()
    kl = torch.xlogy(target, target) - target * student_log.float()  # (N, K)
    per_row = kl.sum(dim=1) / student_log.shape[1]  # (N,)
    per_scene = segment_sum(per_row, seg, num_segments)  # (S,)
    counts = torch.bincount(seg.long(), minlength=num_segments)  # (S,)
    return mean_over_segments(per_scene, counts, valid_segments)
