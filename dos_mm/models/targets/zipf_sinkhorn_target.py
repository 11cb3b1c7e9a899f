"""Zipf-Sinkhorn target generator: teacher logits -> balanced plan."""
import torch
from mmdet3d.registry import MODELS
from mmengine import dist
from torch import Tensor, nn

from dos_mm.functional import (global_column_logsumexp, rank_marginal,
                               zipf_sinkhorn)


def _finite_everywhere(logits: Tensor) -> bool:
    """Whether every rank's logits are finite (one collective)."""
    flag = torch.isfinite(logits).all().float().reshape(1)
    if dist.get_world_size() > 1:
        dist.all_reduce(flag, op='min')
    return bool(flag)


@MODELS.register_module()
class ZipfSinkhornTarget(nn.Module):
    """Balance teacher logits with a Zipf prototype marginal.

    Prototypes are ranked by their usage (the column mass of ``exp(s)`` over
    the global batch, optionally smoothed by an EMA kept in a buffer so that
    it is checkpointed); the prototype of rank r receives marginal
    ``r^-alpha / sum``. ``alpha = 0`` is the uniform Sinkhorn baseline.
    ``alpha`` is set by ``DOSScheduleHook`` during training. No parameters.

    Args:
        num_prototypes (int): K.
        alpha (float): Zipf exponent (paper: 1.3).
        num_iters (int): Sinkhorn iterations (default 3).
        usage_momentum (float): weight kept by the usage EMA; 0 uses the
            current batch only.
    """

    def __init__(self,
                 num_prototypes: int,
                 alpha: float = 1.3,
                 num_iters: int = 3,
                 usage_momentum: float = 0.9) -> None:
        super().__init__()
        if not 0 <= usage_momentum < 1:
            raise ValueError('usage_momentum must be in [0, 1), got '
                             f'{usage_momentum}')
        self.alpha = alpha
        self.num_iters = num_iters
        self.usage_momentum = usage_momentum
        self.register_buffer(
            'usage', torch.full((num_prototypes, ), 1.0 / num_prototypes))
        self.register_buffer('usage_initialised', torch.tensor(False))

    @torch.no_grad()
    def update_usage(self, logits: Tensor) -> Tensor:
        """Update and return the (K,) usage distribution from (N, K) logits
        (all ranks). A global batch without rows leaves it unchanged."""
        log_mass = global_column_logsumexp(logits.float())  # (K,), global
        if not bool(torch.isfinite(log_mass).all()):  # no row on any rank
            return self.usage
        current = torch.softmax(log_mass, 0)
        if self.usage_initialised and self.usage_momentum > 0:
            self.usage.mul_(self.usage_momentum).add_(
                current, alpha=1 - self.usage_momentum)
        else:
            self.usage.copy_(current)
            self.usage_initialised.fill_(True)
        return self.usage

    @torch.no_grad()
    def forward(self, logits: Tensor, overwrite: bool = False) -> Tensor:
        """(N, K) teacher logits (already divided by tau_T) -> (N, K) log
        transport plan (rows 1/N, columns the Zipf marginal); with
        ``overwrite``, float32 logits are turned into the plan in place.

        Non-finite logits on any rank (a diverging teacher, an fp16
        overflow) are agreed on by every rank first: then every rank
        returns a NaN plan and leaves the usage as it was, so the loss is
        non-finite everywhere and ``NonFiniteGuardOptimWrapper`` skips the
        step on all ranks alike. (``zipf_sinkhorn`` would raise on the one
        rank that sees them while the others wait in its collectives.)
        """
        if not _finite_everywhere(logits):
            return logits.new_full(
                logits.shape, float('nan'), dtype=torch.float32)
        usage = self.update_usage(logits)
        marginal = rank_marginal(usage, self.alpha)  # (K,)
        return zipf_sinkhorn(logits, marginal, self.num_iters, overwrite)
