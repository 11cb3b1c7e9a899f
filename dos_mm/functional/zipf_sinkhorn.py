"""Zipf-Sinkhorn: log-space Sinkhorn-Knopp with a power-law column marginal.

Rows are cells (possibly spread over several ranks), columns are prototypes.
Every global quantity (number of rows, column sums) is reduced over ranks with
:mod:`mmengine.dist`, whose collectives are no-ops in a single process, so one
process and several processes holding the same rows give the same plan.
"""
import math
from typing import Optional, Tuple

import torch
from mmengine import dist
from torch import Tensor

from .precision import float32_island


def global_count(num_local: int, device: torch.device) -> int:
    """Sum an integer count over all ranks.

    Args:
        num_local (int): Count on this rank.
        device (torch.device): Device of the communication tensor.

    Returns:
        int: The sum over ranks (``num_local`` in a single process).
    """
    count = torch.tensor([num_local], dtype=torch.int64, device=device)
    dist.all_reduce(count, op='sum')
    return int(count.item())


def global_column_logsumexp(log_x: Tensor) -> Tensor:
    """Log of the column sums of ``exp(log_x)`` over the rows of all ranks.

    Each rank reduces its own rows, then the ranks combine
    ``max + log(sum_ranks exp(local - max))``. A rank without rows
    contributes ``exp(-inf) = 0``.

    Args:
        log_x (Tensor): Log values of shape (N_local, K); N_local may be 0.

    Returns:
        Tensor: Shape (K,), reduced over dim 0 (rows) of every rank. A column
        that is empty (or all -inf) on every rank gives -inf, never NaN.
    """
    local = torch.logsumexp(log_x, dim=0)  # (K,), -inf if N_local == 0
    if dist.get_world_size() == 1:
        return local
    col_max = local.clone()
    dist.all_reduce(col_max, op='max')
    col_max = torch.where(
        torch.isfinite(col_max), col_max, torch.zeros_like(col_max))
    total = (local - col_max).exp_()  # (K,)
    dist.all_reduce(total, op='sum')
    return total.log_().add_(col_max)


def global_assignment_mass(logits: Tensor) -> Tensor:
    """Column sums of the row softmax of ``logits`` over all ranks: how
    many cells each prototype serves, the column mass after the first row
    normalisation of a Sinkhorn.

    Unlike :func:`global_column_logsumexp`, it does not change when a cell's
    logits move by a constant, and a prototype that fits a few cells very
    tightly does not outweigh one that serves many.

    Args:
        logits (Tensor): (N_local, K); N_local may be 0.

    Returns:
        Tensor: float32 (K,), summing to the global number of rows.
    """
    with float32_island(logits.device.type):
        mass = torch.softmax(logits.float(), dim=1).sum(0)  # (K,)
        if dist.get_world_size() > 1:
            dist.all_reduce(mass, op='sum')
    return mass


def _check_inputs(logits: Tensor, col_marginal: Tensor,
                  num_iters: int) -> None:
    """Raise ValueError on malformed Sinkhorn inputs."""
    if logits.dim() != 2:
        raise ValueError('logits must be 2-D (N, K), got shape '
                         f'{tuple(logits.shape)}')
    if not logits.is_floating_point():
        raise ValueError(f'logits must be floating point, got {logits.dtype}')
    if int(num_iters) != num_iters or num_iters < 1:
        raise ValueError(f'num_iters must be an integer >= 1, got {num_iters}')
    num_protos = logits.shape[1]
    if num_protos < 1:
        raise ValueError('logits must have at least one column (K >= 1)')
    if not bool(torch.isfinite(logits).all()):
        num_bad = int((~torch.isfinite(logits)).sum())
        raise ValueError(f'logits contain {num_bad} non-finite values')
    if tuple(col_marginal.shape) != (num_protos, ):
        raise ValueError(f'col_marginal must have shape ({num_protos},) to '
                         f'match logits, got {tuple(col_marginal.shape)}')
    marginal = col_marginal.detach().double()
    if not bool(torch.isfinite(marginal).all()) or \
            float(marginal.min()) <= 0:
        raise ValueError('col_marginal must be finite and > 0 everywhere, '
                         f'got min {float(marginal.min())}')
    total = float(marginal.sum())
    if abs(total - 1.0) > 1e-4:
        raise ValueError(f'col_marginal must sum to 1 (+-1e-4), got {total}')


def zipf_sinkhorn(logits: Tensor,
                  col_marginal: Tensor,
                  num_iters: int = 3,
                  overwrite: bool = False) -> Tensor:
    """Log transport plan of a Sinkhorn-Knopp with a given column marginal.

    Starting from ``Q = exp(logits)`` (up to a constant), each iteration
    first normalises the rows (dim 1; each row's mass becomes
    ``1 / N_global``) and then the columns (dim 0 over all ranks; column k's
    mass becomes ``col_marginal[k]``). Columns therefore meet the marginal
    exactly after the last iteration and rows approximately. The result is
    float32, whatever the input dtype, and without gradient (a target); it
    is computed in float32 with autocast disabled, so ``--amp`` does not
    move its matrix-vector products to bf16 / fp16.

    The plan is ``diag(u) exp(logits - row max) diag(v)``: the iterations
    update the scaling vectors u (N,) and v (K,) with two matrix-vector
    products each, one exponential pass in all, instead of two log-sum-exp
    passes over the (N, K) matrix per iteration. Where float32 cannot hold
    that product (a row spanning more than 80 nats, e.g. cosine logits at
    temperatures below 0.025), the same iterations run in log-space; every
    rank takes the same path.

    In distributed runs every rank must call this with its own rows and the
    same ``col_marginal``; ranks may hold different numbers of rows (also 0).

    Args:
        logits (Tensor): Teacher logits of shape (N_local, K).
        col_marginal (Tensor): Prototype marginal of shape (K,), > 0, sums to
            1, identical on every rank.
        num_iters (int): Number of (row, column) iterations, >= 1.
        overwrite (bool): a float32 ``logits`` becomes the result (saves
            one (N, K) copy where the caller has no further use for it).

    Returns:
        Tensor: float32 ``log Q`` of shape (N_local, K); over all ranks
        ``Q`` sums to 1.
    """
    _check_inputs(logits, col_marginal, num_iters)
    with torch.no_grad(), float32_island(logits.device.type):
        log_q = logits.detach().to(torch.float32, copy=not overwrite)  # (N, K)
        num_rows = global_count(log_q.shape[0], log_q.device)
        if num_rows == 0:
            return log_q
        if log_q.numel() > 0:  # each row's maximum becomes 0
            log_q.sub_(log_q.amax(dim=1, keepdim=True))
        log_w = col_marginal.detach().to(
            device=log_q.device, dtype=torch.float32).log()  # (K,)
        scaling = _scaling_vectors(log_q, num_rows, log_w.exp(),
                                   int(num_iters))
        if scaling is None:
            return _log_space_iterations(log_q, num_rows, log_w,
                                         int(num_iters))
        log_u, log_v = scaling
        return log_q.add_(log_u[:, None]).add_(log_v[None])


def _scaling_vectors(log_q0: Tensor, num_rows: int, marginal: Tensor,
                     num_iters: int) -> Optional[Tuple[Tensor, Tensor]]:
    """Sinkhorn iterations as scaling vectors of ``Q0 = exp(log_q0)``.

    Exact where float32 holds every number involved: every entry of ``Q0``
    in its normal range (no row spans more than 80 nats) and the scaling
    vectors and column masses within 1e+-30.

    Args:
        log_q0 (Tensor): (N_local, K), every row's maximum 0.
        num_rows (int): N over all ranks.
        marginal (Tensor): (K,) column marginal.
        num_iters (int): iterations.

    Returns:
        tuple | None: ``(log u (N_local,), log v (K,))``, or None on every
        rank when some rank's numbers leave that range.
    """
    span = log_q0.amin() if log_q0.numel() else log_q0.new_zeros(())
    if not _everywhere(span > -80.0):
        return None
    q0 = log_q0.exp()  # (N, K) in [e^-80, 1], each row holds a 1
    v = torch.ones_like(marginal)  # (K,)
    smallest_col = marginal.new_tensor(float('inf'))
    for _ in range(num_iters):
        u = (q0 @ v).mul_(num_rows).reciprocal_()  # (N,) rows -> 1/N
        cols = u @ q0  # (K,) local column masses
        if dist.get_world_size() > 1:
            dist.all_reduce(cols, op='sum')
        smallest_col = torch.minimum(smallest_col, cols.min())
        v = marginal / cols
    in_range = [smallest_col > 1e-30, v.max() < 1e30]
    if len(u):
        in_range += [u.min() > 1e-30, u.max() < 1e30]
    if not _everywhere(torch.stack(in_range).all()):
        return None
    return u.log(), v.log()


def _everywhere(flag: Tensor) -> bool:
    """True when the scalar bool ``flag`` holds on every rank."""
    flag = flag.float()
    if dist.get_world_size() > 1:
        dist.all_reduce(flag, op='min')
    return bool(flag)


def _log_space_iterations(log_q: Tensor, num_rows: int, log_w: Tensor,
                          num_iters: int) -> Tensor:
    """The same iterations on ``log Q`` (N_local, K) in place, for inputs
    whose exponentials float32 cannot hold."""
    log_n = math.log(num_rows)
    for _ in range(num_iters):
        row_lse = torch.logsumexp(log_q, dim=1, keepdim=True)  # (N, 1)
        log_q.sub_(row_lse.add_(log_n))
        col_lse = global_column_logsumexp(log_q)  # (K,)
        log_q.sub_((col_lse - log_w)[None])
    return log_q


def uniform_sinkhorn(logits: Tensor, num_iters: int = 3) -> Tensor:
    """:func:`zipf_sinkhorn` with the uniform marginal 1/K (alpha = 0).

    Args:
        logits (Tensor): Teacher logits of shape (N_local, K).
        num_iters (int): Number of (row, column) iterations, >= 1.

    Returns:
        Tensor: float32 ``log Q`` of shape (N_local, K).
    """
    if logits.dim() != 2:
        raise ValueError('logits must be 2-D (N, K), got shape '
                         f'{tuple(logits.shape)}')
    num_protos = logits.shape[1]
    marginal = torch.full((num_protos, ),
                          1.0 / max(num_protos, 1),
                          dtype=torch.float32,
                          device=logits.device)
    return zipf_sinkhorn(logits, marginal, num_iters)
