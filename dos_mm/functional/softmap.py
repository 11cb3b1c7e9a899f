"""Softmaps: per-prototype distributions over the cells of a scene, and the
losses that compare them.

A softmap normalises each prototype (column, dim 1 index k) over the cells
(rows, dim 0) of one scene; this is not the usual per-cell softmax over
prototypes. Losses average per scene first and then over scenes, so a scene
with many cells does not weigh more than a small one. All in float32.
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor

from .precision import float32_island
from .segment import (check_segments, index_count, segment_log_softmax,
                      segment_logsumexp, segment_sum)
from .zipf_sinkhorn import global_column_logsumexp


def target_softmaps(log_q: Tensor,
                    seg: Tensor,
                    num_segments: int,
                    norm: str = 'scene') -> Tensor:
    """Teacher softmaps from a (log) transport plan.

    Args:
        log_q (Tensor): Log transport plan of shape (N, K).
        seg (Tensor): Scene id of each row, shape (N,).
        num_segments (int): Number of scenes S.
        norm (str): ``'scene'`` normalises each column over the rows of each
            scene; ``'batch'`` normalises each column over all rows of the
            batch, summed over every rank.

    Returns:
        Tensor: float32 probabilities of shape (N, K). With ``'scene'``, for
        every scene s and column k the rows of s sum to 1 (dim 0 within a
        scene); with ``'batch'`` every column sums to 1 over all ranks.
    """
    check_segments(log_q, seg, num_segments)
    log_q = log_q.float()
    if norm == 'scene':
        return segment_log_softmax(log_q, seg, num_segments).exp_()
    if norm == 'batch':
        col_lse = global_column_logsumexp(log_q)  # (K,)
        return (log_q - col_lse[None]).exp_()
    raise ValueError(f"norm must be 'scene' or 'batch', got {norm!r}")


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


def _scene_mean(per_scene: Tensor, counts: Tensor,
                valid_segments: Optional[Tensor]) -> Tensor:
    """Mean of ``per_scene`` (S,) over non-empty (and valid) scenes."""
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
    check_segments(student_log, seg, num_segments)
    if target.shape != student_log.shape:
        raise ValueError(f'target shape {tuple(target.shape)} does not match '
                         f'student_log shape {tuple(student_log.shape)}')
    target = target.detach().float()
    kl = torch.xlogy(target, target) - target * student_log.float()  # (N, K)
    per_row = kl.sum(dim=1) / student_log.shape[1]  # (N,)
    per_scene = segment_sum(per_row, seg, num_segments)  # (S,)
    counts = torch.bincount(seg.long(), minlength=num_segments)  # (S,)
    return _scene_mean(per_scene, counts, valid_segments)


def scene_softmap_kl(target_log_q: Tensor, student_logits: Tensor, seg: Tensor,
                     num_segments: int) -> Tensor:
    """``softmap_kl(target_softmaps(target_log_q, seg, S, 'scene'),
    student_log_softmaps(student_logits, seg, S), seg, S)`` in fewer passes
    over the (N, K) matrices and with one (N, K) tensor kept for backward
    instead of several (the training loss; the composed functions stay as
    the readable reference, and a test holds the two equal).

    Per scene s and prototype k, with T the target softmap and
    ``lse`` the log-sum-exp over the rows of s:
    ``sum_i T (log T - log S) = sum_i T (log_q - z) - lse(log_q) + lse(z)``,
    and the gradient with respect to z is ``S - T`` (times the weights).

    Args:
        target_log_q (Tensor): (N, K) log plan (no gradient).
        student_logits (Tensor): (N, K) student logits z, already divided
            by the temperature.
        seg (Tensor): (N,) scene id of each row.
        num_segments (int): number of scenes S.

    Returns:
        Tensor: float32 scalar, the mean over the scenes that have rows.
    """
    check_segments(student_logits, seg, num_segments)
    if target_log_q.shape != student_logits.shape:
        raise ValueError(
            f'target_log_q shape {tuple(target_log_q.shape)} does not match '
            f'student_logits shape {tuple(student_logits.shape)}')
    return _SceneSoftmapKL.apply(target_log_q.detach().float(),
                                 student_logits.float(), seg.long(),
                                 int(num_segments))


def prototype_softmap_kl(emb: Tensor, protos: Tensor, temperature: float,
                         log_q: Tensor, terms: Sequence[Tuple[Tensor, Tensor,
                                                              Tensor, float]],
                         num_segments: int) -> Tensor:
    """A weighted sum of :func:`scene_softmap_kl` terms on rows of the
    cosine logits ``z = emb @ protos.T / temperature``, keeping no (N, K)
    tensor for backward.

    ``sum_t w_t * scene_softmap_kl(log_q[plan_rows_t], z[rows_t], seg_t,
    S)``: the same-view and cross-view terms of one student view. The
    logits feed nothing but this loss, so forward also computes its gradients
    with respect to the embeddings and the prototypes (the two matrix
    products backward would do) and keeps only those: (N, D) + (K, D)
    instead of the (R, K) gradient of each term. Each term's rows of ``z``
    and of the plan exist only while that term runs.

    Args:
        emb (Tensor): (N, D) student embeddings (unit rows).
        protos (Tensor): (K, D) prototypes (unit rows).
        temperature (float): tau_S, > 0.
        log_q (Tensor): (M, K) log plan (no gradient).
        terms: ``(rows (R,) into emb, plan_rows (R,) into log_q, seg (R,)
            scene ids, weight)`` each, with R > 0.
        num_segments (int): number of scenes S.

    Returns:
        Tensor: float32 scalar.
    """
    if emb.dim() != 2 or protos.dim() != 2 or emb.shape[1] != protos.shape[1]:
        raise ValueError(f'emb {tuple(emb.shape)} and protos '
                         f'{tuple(protos.shape)} must be (N, D) and (K, D)')
    if not temperature > 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    if not terms:
        raise ValueError('no terms: nothing to distill')
    if log_q.dim() != 2 or log_q.shape[1] != protos.shape[0]:
        raise ValueError(f'log_q of shape {tuple(log_q.shape)} does not have '
                         f'the K = {protos.shape[0]} prototype columns')
    for rows, plan_rows, seg, _ in terms:
        if not len(rows) == len(plan_rows) == len(seg):
            raise ValueError(
                f'a term has {len(rows)} rows, {len(plan_rows)} plan rows '
                f'and {len(seg)} scene ids: they must be as many')
        # seg's shape, dtype and range (a (R, 1) stand-in for the rows)
        check_segments(seg[:, None], seg, num_segments)
    terms = [(rows.long(), plan_rows.long(), seg.long(), float(w))
             for rows, plan_rows, seg, w in terms]
    return _PrototypeSoftmapKL.apply(emb, protos, float(temperature),
                                     log_q.detach().float(), terms,
                                     int(num_segments))


def _kl_and_gradient(
        log_q: Tensor,
        z: Tensor,
        seg: Tensor,
        num_segments: int,
        with_gradient: bool = True) -> Tuple[Tensor, Optional[Tensor]]:
    """Value of :func:`scene_softmap_kl` and its (N, K) gradient with respect
    to ``z``, ``(S - T) / (K * scenes with rows)`` (None without
    ``with_gradient``)."""
    num_protos = z.shape[1]
    present = index_count(seg, num_segments) > 0  # (S,)
    num_present = int(present.sum())
    if num_present == 0:
        raise ValueError('no scene has rows: cannot average the loss '
                         'over scenes')
    lse_q = segment_logsumexp(log_q, seg, num_segments)  # (S, K)
    lse_z = segment_logsumexp(z, seg, num_segments)  # (S, K)
    target = lse_q[seg]  # (N, K), then T in place
    torch.sub(log_q, target, out=target).exp_()
    weighted = torch.sub(log_q, z).mul_(target)  # T (log_q - z)
    per_col = segment_sum(weighted, seg, num_segments)  # (S, K)
    per_col = torch.where(present[:, None], per_col - lse_q + lse_z,
                          torch.zeros_like(per_col))
    scale = 1.0 / (num_protos * num_present)
    if not with_gradient:
        return per_col.sum() * scale, None
    student = torch.index_select(lse_z, 0, seg, out=weighted)
    torch.sub(z, student, out=student).exp_()  # S
    return per_col.sum() * scale, student.sub_(target).mul_(scale)


class _SceneSoftmapKL(torch.autograd.Function):
    """Forward and backward of :func:`scene_softmap_kl`: backward needs only
    the gradient (S - T) * scale, kept instead of T and z."""

    @staticmethod
    def forward(ctx, log_q: Tensor, z: Tensor, seg: Tensor,
                num_segments: int) -> Tensor:
        value, grad_z = _kl_and_gradient(log_q, z, seg, num_segments,
                                         ctx.needs_input_grad[1])
        if grad_z is not None:
            ctx.save_for_backward(grad_z)
        return value

    @staticmethod
    def backward(ctx, grad: Tensor):
        (grad_z, ) = ctx.saved_tensors
        return None, grad_z * grad, None, None


class _PrototypeSoftmapKL(torch.autograd.Function):
    """Forward and backward of :func:`prototype_softmap_kl`."""

    @staticmethod
    def forward(ctx, emb: Tensor, protos: Tensor, temperature: float,
                log_q: Tensor, terms: list, num_segments: int) -> Tensor:
        emb32, protos32 = emb.float(), protos.float()
        total = emb32.new_zeros(())
        # float32 throughout, also under autocast (as the loss always was)
        with float32_island(emb.device.type):
            grad_z = emb32.new_zeros(emb.shape[0], protos.shape[0])  # (N, K)
            for rows, plan_rows, seg, weight in terms:
                z = torch.mm(emb32[rows], protos32.t()).div_(temperature)
                value, grad = _kl_and_gradient(log_q[plan_rows], z, seg,
                                               num_segments)
                total += weight * value
                grad_z.index_add_(0, rows, grad, alpha=weight)
                del z, grad
            grad_z.div_(temperature)
            grad_emb = grad_z @ protos32  # (N, D)
            grad_protos = grad_z.t() @ emb32  # (K, D)
        ctx.save_for_backward(
            grad_emb.to(emb.dtype), grad_protos.to(protos.dtype))
        return total

    @staticmethod
    def backward(ctx, grad: Tensor):
        grad_emb, grad_protos = ctx.saved_tensors
        return (grad_emb * grad.to(grad_emb.dtype),
                grad_protos * grad.to(grad_protos.dtype), None, None, None,
                None)


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
    check_segments(student_logits, seg, num_segments)
    if target_log_q.shape != student_logits.shape:
        raise ValueError(
            f'target_log_q shape {tuple(target_log_q.shape)} does not match '
            f'student_logits shape {tuple(student_logits.shape)}')
    target = torch.softmax(target_log_q.detach().float(), dim=1)  # (N, K)
    log_student = torch.log_softmax(student_logits.float(), dim=1)  # (N, K)
    per_row = -(target * log_student).sum(dim=1)  # (N,)
    per_scene = segment_sum(per_row, seg, num_segments)  # (S,)
    counts = torch.bincount(seg.long(), minlength=num_segments)  # (S,)
    per_scene = per_scene / counts.clamp(min=1).to(per_scene.dtype)
    return _scene_mean(per_scene, counts, valid_segments)
