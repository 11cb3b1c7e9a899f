"""Zipf (power-law) prior over prototype ranks and its rank assignment."""
import math
from typing import Optional

import torch
from torch import Tensor


def zipf_prior(num_prototypes: int,
               alpha: float,
               dtype: torch.dtype = torch.float32,
               device: Optional[torch.device] = None) -> Tensor:
    """Zipf weights ``w_r = r^-alpha / sum_r' r'^-alpha`` for r = 1..K.

    Args:
        num_prototypes (int): Number of prototypes K, at least 1.
        alpha (float): Zipf exponent, finite and >= 0. ``alpha = 0`` gives the
            uniform prior 1/K.
        dtype (torch.dtype): Output dtype. Computed in float64 first.
        device (torch.device, optional): Output device.

    Returns:
        Tensor: Shape (K,), non-increasing, sums to 1. Index 0 is rank 1 (the
        most used prototype).
    """
    if int(num_prototypes) != num_prototypes or num_prototypes < 1:
        raise ValueError('num_prototypes must be an integer >= 1, got '
                         f'{num_prototypes}')
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f'alpha must be finite and >= 0, got {alpha}')
    ranks = torch.arange(
        1, int(num_prototypes) + 1, dtype=torch.float64, device=device)
    log_w = ranks.log_().mul_(-alpha)  # (K,)
    return torch.softmax(log_w, dim=0).to(dtype)


def usage_ranks(usage: Tensor) -> Tensor:
    """0-based usage rank of each prototype.

    Args:
        usage (Tensor): Usage (e.g. column mass) of each prototype, shape (K,).

    Returns:
        Tensor: int64 of shape (K,); the most used prototype has rank 0. Ties
        are broken by index (the lower index gets the lower rank).
    """
    if usage.dim() != 1 or usage.numel() == 0:
        raise ValueError('usage must be a non-empty 1-D tensor (K,), got '
                         f'shape {tuple(usage.shape)}')
    num_bad = int((~torch.isfinite(usage)).sum()) \
        if usage.is_floating_point() else 0
    if num_bad:
        raise ValueError(f'usage contains {num_bad} non-finite values')
    order = torch.argsort(usage, descending=True, stable=True)  # (K,)
    ranks = torch.empty_like(order)
    ranks[order] = torch.arange(
        order.numel(), dtype=order.dtype, device=order.device)
    return ranks


def rank_marginal(usage: Tensor, alpha: float) -> Tensor:
    """Zipf marginal of each prototype given its usage rank.

    ``marginal[k] = zipf_prior(K, alpha)[usage_ranks(usage)[k]]``.

    Args:
        usage (Tensor): Usage of each prototype, shape (K,).
        alpha (float): Zipf exponent, see :func:`zipf_prior`.

    Returns:
        Tensor: Shape (K,), sums to 1, on the device of ``usage``; float64
        if ``usage`` is float64, float32 otherwise.
    """
    ranks = usage_ranks(usage)  # (K,)
    dtype = torch.float64 if usage.dtype == torch.float64 else torch.float32
    prior = zipf_prior(usage.numel(), alpha, dtype=dtype, device=usage.device)
    return prior[ranks]  # (K,)


def rank_agreement(usage_a: Tensor, usage_b: Tensor) -> Tensor:
    """Spearman correlation of two (K,) usage measures: 1 when they rank
    the prototypes alike, -1 when in reverse. A 0-dim float32 tensor on
    the inputs' device (no host read)."""
    if usage_a.shape != usage_b.shape:
        raise ValueError(f'usages of shapes {tuple(usage_a.shape)} and '
                         f'{tuple(usage_b.shape)} cannot be compared')
    ra, rb = (usage_ranks(u).float() for u in (usage_a, usage_b))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    return (ra * rb).sum() / ((ra * ra).sum() *
                              (rb * rb).sum()).sqrt().clamp(min=1e-12)
