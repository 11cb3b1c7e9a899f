"""Per-point clustering cross-entropy: the ablation without softmaps."""
from typing import Optional

import torch
from torch import Tensor

from .segment import check_paired_rows, mean_over_segments, segment_sum


def point_cluster_ce(target_log_q: Tensor,
                     student_logits: Tensor,
                     seg: Tensor,
                     num_segments: int,
                     valid_segments: Optional[Tensor] = None) -> Tensor:
    """Per-point clustering cross-entropy (the ablation without softmaps).

    Targets are the rows of ``Q`` normalised to sum to 1 (dim 1, over
    prototypes); the student is ``log_softmax`` over prototypes (dim 1). The
    per-row cross-entropy is averaged per scene, then over scenes.

    Args:
        target_log_q (Tensor): Log transport plan of shape (N, K).
        student_logits (Tensor): Student logits of shape (N, K).
        seg (Tensor): Scene id of each row, shape (N,).
        num_segments (int): Number of scenes S.
        valid_segments (Tensor, optional): Bool mask of shape (S,) of the
            scenes to include.

    Returns:
        Tensor: float32 scalar.
    """
    check_paired_rows(target_log_q, student_logits, seg, num_segments,
                      'target_log_q, student_logits')
    target = torch.softmax(target_log_q.detach().float(), dim=1)  # (N, K)
    log_student = torch.log_softmax(student_logits.float(), dim=1)  # (N, K)
    per_row = -(target * log_student).sum(dim=1)  # (N,)
    per_scene = segment_sum(per_row, seg, num_segments)  # (S,)
    counts = torch.bincount(seg.long(), minlength=num_segments)  # (S,)
    per_scene = per_scene / counts.clamp(min=1).to(per_scene.dtype)
    return mean_over_segments(per_scene, counts, valid_segments)
