"""Zipf-Sinkhorn target generator: teacher logits -> balanced plan."""
import torch
from mmdet3d.registry import MODELS
from mmengine import dist
from torch import Tensor, nn
from torch.profiler import record_function

from dos_mm.functional import (global_assignment_mass, global_column_logsumexp,
                               rank_agreement, rank_marginal, zipf_sinkhorn)
from ..utils.prototype_count import check_prototype_count


def _finite_everywhere(logits: Tensor) -> bool:
    """Whether every rank's logits are finite (one collective)."""
    flag = torch.isfinite(logits).all().float().reshape(1)
    if dist.get_world_size() > 1:
        dist.all_reduce(flag, op='min')
    return bool(flag)


@MODELS.register_module()
class ZipfSinkhornTarget(nn.Module):
    """Balance teacher logits with a Zipf prototype marginal.

    Prototypes are ranked by their usage over the global batch, optionally
    smoothed by an EMA kept in a buffer so that it is checkpointed; the
    prototype of rank r receives marginal ``r^-alpha / sum``. ``alpha = 0``
    is the uniform Sinkhorn baseline. ``alpha`` is set by
    ``DOSScheduleHook`` during training. No parameters.

    Two usage measures (s: the logits divided by tau_T):

    * ``'exp_mass'`` (ours, the default): the column mass of ``exp(s)``, a
      logsumexp over cells. It changes with a per-cell offset of the logits
      and rewards a prototype that fits a few cells tightly.
    * ``'assignment'``: the assignment mass ``sum_i softmax_k(s_i)``, the
      cells a prototype serves (the column mass after Sinkhorn's first row
      normalisation).

    Each call also keeps the Spearman agreement of the two measures on the
    batch in ``last_rank_agreement`` (a 0-dim tensor; logged by DOS as
    ``usage_rank_agreement``).

    Args:
        num_prototypes (int): K.
        alpha (float): Zipf exponent (paper: 1.3).
        num_iters (int): Sinkhorn iterations (default 3).
        usage_momentum (float): weight kept by the usage EMA; 0 uses the
            current batch only.
        usage (str): ``'exp_mass'`` or ``'assignment'``.
    """
    USAGES = ('exp_mass', 'assignment')

    def __init__(self,
                 num_prototypes: int,
                 alpha: float = 1.3,
                 num_iters: int = 3,
                 usage_momentum: float = 0.9,
                 usage: str = 'exp_mass') -> None:
        super().__init__()
        check_prototype_count(num_prototypes, 'model.head.target')
        if usage not in self.USAGES:
            raise ValueError(f'usage must be one of {self.USAGES}, got '
                             f'{usage!r}')
        self.usage_measure = usage
        self.last_rank_agreement = torch.tensor(float('nan'))
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
        exp_mass = torch.softmax(log_mass, 0)  # (K,)
        assigned = global_assignment_mass(logits)  # (K,)
        assigned = assigned / assigned.sum()
        self.last_rank_agreement = rank_agreement(exp_mass, assigned)
        current = exp_mass if self.usage_measure == 'exp_mass' else assigned
        if self.usage_initialised and self.usage_momentum > 0:
            self.usage.mul_(self.usage_momentum).add_(
                current, alpha=1 - self.usage_momentum)
        else:
            self.usage.copy_(current)
            self.usage_initialised.fill_(True)
        return self.usage

    @torch.no_grad()
    @record_function('dos.sinkhorn')
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
