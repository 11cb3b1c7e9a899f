"""Distillation losses on softmaps (paper) or per point (ablation)."""
from typing import List, Tuple

import torch
from mmdet3d.registry import MODELS
from torch import Tensor, nn

from dos_mm.functional import (point_cluster_ce, prototype_softmap_kl,
                               scene_softmap_kl, softmap_kl,
                               student_log_softmaps, target_softmaps)
from ..heads import CosineLogits


@MODELS.register_module()
class SoftmapLoss(nn.Module):
    """KL between teacher and student softmaps, per scene, then averaged.

    Args:
        mode (str): ``'softmap'`` (paper: each prototype's distribution over
            the cells of a scene) or ``'point'`` (ablation: per-cell
            clustering, a softmax over prototypes).
        softmap_norm (str): ``'scene'`` (default) or ``'batch'``: the cells
            over which the target columns are normalised.
    """

    def __init__(self,
                 mode: str = 'softmap',
                 softmap_norm: str = 'scene') -> None:
        super().__init__()
        if mode not in ('softmap', 'point'):
            raise ValueError(
                f"mode must be 'softmap' or 'point', got {mode!r}")
        if softmap_norm not in ('scene', 'batch'):
            raise ValueError("softmap_norm must be 'scene' or 'batch', got "
                             f'{softmap_norm!r}')
        self.mode = mode
        self.softmap_norm = softmap_norm

    def forward(self, target_log_q: Tensor, student_logits: Tensor,
                scan: Tensor, num_scans: int) -> Tensor:
        """Args: target_log_q (N, K) log plan, student_logits (N, K) already
        divided by tau_S, scan (N,) scan index. Returns a float32 scalar
        (a zero connected to the graph when N = 0)."""
        if self.mode == 'point':
            if len(scan) == 0:
                return student_logits.sum() * 0.0
            return point_cluster_ce(target_log_q, student_logits, scan,
                                    num_scans)
        if self.softmap_norm == 'scene':
            if len(scan) == 0:  # no rows on this rank: a finite zero
                return student_logits.sum() * 0.0
            return scene_softmap_kl(target_log_q, student_logits, scan,
                                    num_scans)
        # 'batch' normalisation sums over ranks: every rank must call it
        target = target_softmaps(target_log_q, scan, num_scans,
                                 self.softmap_norm)
        if len(scan) == 0:  # no rows on this rank: a finite zero
            return student_logits.sum() * 0.0
        student = student_log_softmaps(student_logits.float(), scan, num_scans)
        return softmap_kl(target, student, scan, num_scans)

    def weighted_terms(self, student: CosineLogits, log_q: Tensor,
                       terms: List[Tuple[Tensor, Tensor, Tensor,
                                         float]], num_scans: int) -> Tensor:
        """``sum_t w_t * self(log_q[plan_rows_t], logits[rows_t], scan_t,
        S)`` over the ``(rows, plan_rows, scan, weight)`` terms of one
        student view, whose logits are given as their factors, against the
        (M, K) log plan ``log_q``.

        The scene softmap loss (the paper's) runs fused, without
        materialising the logits for backward
        (:func:`dos_mm.functional.prototype_softmap_kl`); terms without
        rows are left out. The other modes call :meth:`forward` on every
        term, rows or not ('batch' normalisation sums over ranks, so every
        rank makes the same calls).
        """
        if self.mode == 'softmap' and self.softmap_norm == 'scene':
            terms = [term for term in terms if len(term[0])]
            if not terms:  # no rows: a finite zero
                return student.emb.sum() * 0.0
            return prototype_softmap_kl(*student, log_q, terms, num_scans)
        total = student.emb.new_zeros((), dtype=torch.float32)
        for rows, plan_rows, scan, weight in terms:
            total = total + weight * self(log_q[plan_rows],
                                          student.rows(rows).materialize(),
                                          scan, num_scans)
        return total
