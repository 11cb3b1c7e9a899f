"""Distillation losses on softmaps (paper) or per point (ablation)."""
from typing import List, Tuple

import torch
from mmdet3d.registry import MODELS
from torch import Tensor, nn
from torch.profiler import record_function

from dos_mm.functional import point_cluster_ce, prototype_softmap_kl
from ..heads import CosineLogits

Term = Tuple[Tensor, Tensor, Tensor, float]  # rows, plan_rows, scan, weight


@MODELS.register_module()
class SoftmapLoss(nn.Module):
    """KL between teacher and student softmaps, per scene, then averaged.

    Target columns are normalised over the cells of each scene.

    Args:
        mode (str): ``'softmap'`` (paper: each prototype's distribution over
            the cells of a scene) or ``'point'`` (ablation: per-cell
            clustering, a softmax over prototypes).
    """

    def __init__(self, mode: str = 'softmap') -> None:
        super().__init__()
        if mode not in ('softmap', 'point'):
            raise ValueError(
                f"mode must be 'softmap' or 'point', got {mode!r}")
        self.mode = mode

    @record_function('dos.loss')
    def forward(self, student: CosineLogits, log_q: Tensor, terms: List[Term],
                num_scans: int) -> Tensor:
        """``sum_t w_t * loss(log_q[plan_rows_t], logits[rows_t], scan_t,
        S)`` over the ``(rows (R,), plan_rows (R,), scan (R,), weight)``
        terms of one student view, whose (N, K) logits are given as their
        factors, against the (M, K) log plan ``log_q``.

        The softmap loss runs fused, without materialising the logits
        (:func:`dos_mm.functional.prototype_softmap_kl`); the point
        ablation materialises each term's rows. Terms without rows are left
        out; with none, a float32 zero connected to the graph.
        """
        terms = [term for term in terms if len(term[0])]
        if not terms:
            return student.emb.sum().float() * 0.0
        if self.mode == 'softmap':
            return prototype_softmap_kl(*student, log_q, terms, num_scans)
        total = student.emb.new_zeros((), dtype=torch.float32)
        for rows, plan_rows, scan, weight in terms:
            logits = student.rows(rows).materialize()
            total = total + weight * point_cluster_ce(
                log_q.index_select(0, plan_rows), logits, scan, num_scans)
        return total
