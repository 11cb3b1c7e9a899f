"""The softmap loss of DOS, as one fused kernel.

A softmap normalises each prototype (column, dim 1 index k) over the cells
(rows, dim 0) of one scene; this is not the usual per-cell softmax over
prototypes. The loss averages the KL of each prototype's softmaps over the
prototypes, then per scene, then over scenes, so a scene with many cells does
not weigh more than a small one. All in float32. The composed definition
(target softmaps, student log-softmaps, KL) is
:mod:`dos_mm.functional.softmap_reference`, the tests' oracle.
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch.profiler import record_function

from .precision import float32_island
from .segment import (check_segments, index_count, segment_logsumexp,
                      segment_sum)


def prototype_softmap_kl(emb: Tensor, protos: Tensor, temperature: float,
                         log_q: Tensor, terms: Sequence[Tuple[Tensor, Tensor,
                                                              Tensor, float]],
                         num_segments: int) -> Tensor:
    """The softmap loss of DOS: a weighted sum of per-scene softmap KL
    terms on rows of the cosine logits ``z = emb @ protos.T / temperature``,
    keeping no (N, K) tensor for backward.

    ``sum_t w_t * KL_t`` with ``KL_t`` the scene softmap KL of the target
    plan rows ``log_q[plan_rows_t]`` against the student logits
    ``z[rows_t]`` (defined by the composed functions of
    :mod:`dos_mm.functional.softmap_reference`, which the tests hold equal):
    the same-view and cross-view terms of one student view.

    Per scene s and prototype k, with T the target softmap and ``lse`` the
    log-sum-exp over the rows of s:
    ``sum_i T (log T - log S) = sum_i T (log_q - z) - lse(log_q) + lse(z)``,
    and the gradient with respect to z is ``S - T`` (times the weights). The
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


@record_function('dos.softmaps')
def _kl_and_gradient(
        log_q: Tensor,
        z: Tensor,
        seg: Tensor,
        num_segments: int,
        with_gradient: bool = True) -> Tuple[Tensor, Optional[Tensor]]:
    """Value of one scene softmap KL term and its (N, K) gradient with respect
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


class _PrototypeSoftmapKL(torch.autograd.Function):
    """Forward and backward of :func:`prototype_softmap_kl`."""

    @staticmethod
    def forward(ctx, emb: Tensor, protos: Tensor, temperature: float,
                log_q: Tensor, terms: list, num_segments: int) -> Tensor:
        emb32, protos32 = emb.float(), protos.float()
        total = emb32.new_zeros(())
        with_gradient = any(ctx.needs_input_grad[:2])
        # float32 throughout, also under autocast (as the loss always was)
        with float32_island(emb.device.type):
            grad_z = emb32.new_zeros(emb.shape[0], protos.shape[0]) \
                if with_gradient else None  # (N, K)
            for rows, plan_rows, seg, weight in terms:
                z = torch.mm(emb32.index_select(0, rows),
                             protos32.t()).div_(temperature)
                value, grad = _kl_and_gradient(
                    log_q.index_select(0, plan_rows), z, seg, num_segments,
                    with_gradient)
                total += weight * value
                if with_gradient:
                    grad_z.index_add_(0, rows, grad, alpha=weight)
                del z, grad
            if not with_gradient:  # evaluation: nothing kept
                return total
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
