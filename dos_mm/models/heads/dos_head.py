"""The DOS head: teacher targets, the softmap loss and prototype usage."""
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor
from torch.profiler import record_function

from ..utils.prototype_usage import prototype_usage
from .prototype_head import CosineLogits

# (student view i, teacher view j) -> (s_rows (R,), t_rows (R,))
Pairs = Dict[Tuple[int, int], Tuple[Tensor, Tensor]]


class TargetPlan(NamedTuple):
    """One Zipf-Sinkhorn plan over the target cells of a whole batch."""
    log_q: Tensor  # (N, K) float32 log plan
    rows: Dict[Tuple[int, int], Tensor]  # pair -> (R,) rows of log_q
    winners: Tensor  # (N,) top prototype of each target cell's logits


@MODELS.register_module()
class DOSHead(BaseModule):
    """Targets and loss of DOS at the matched cells of the views.

    The teacher's cosine logits at the target cells, over ``teacher_temp``,
    are balanced by the target generator (Zipf-Sinkhorn) into one plan over
    the batch; each student view's logits, over ``student_temp``, are
    distilled towards its rows of the plan by the loss: its same-view term
    weighs ``same_view_weight`` and the mean of its cross-view terms the
    rest. The head has no parameters: the projector and prototypes belong
    to the encoder, which the teacher copies.

    Args:
        target (dict): target generator config (``ZipfSinkhornTarget``).
        loss (dict): loss config (``SoftmapLoss``).
        teacher_temp (float): tau_T (scheduled; paper 0.04 -> 0.07).
        student_temp (float): tau_S (default 0.1).
        same_view_weight (float): weight of the same-view term (paper 0.5).
        collapse_fraction (float): when at most this fraction of the K
            prototypes wins any target cell of the global batch, a prototype
            collapse is logged as a warning (and ``collapsed`` is 1).
    """

    def __init__(self,
                 target: dict,
                 loss: dict = dict(type='SoftmapLoss'),
                 teacher_temp: float = 0.04,
                 student_temp: float = 0.1,
                 same_view_weight: float = 0.5,
                 collapse_fraction: float = 0.01,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.target = MODELS.build(target)
        self.loss_module = MODELS.build(loss)
        self.teacher_temp = teacher_temp
        self.student_temp = student_temp
        self.same_view_weight = same_view_weight
        self.collapse_fraction = collapse_fraction

    @torch.no_grad()
    @record_function('dos.targets')
    def targets(self, teacher: list, teacher_net, pairs: Pairs) -> TargetPlan:
        """One Zipf-Sinkhorn plan over the global batch of target cells.

        The teacher head runs once per view, on the cells that are the
        target of at least one student cell (same or cross view), and the
        plan is computed once over all N of them (docs/method.md,
        "targets"), instead of one plan per term. Each view's features are
        taken from its encoding once its head has run.

        Args:
            teacher (list[Encoding]): the teacher's encodings of the views.
            teacher_net (DOSEncoder): the teacher, for its head pass.
            pairs (dict): matched rows of each (student, teacher) view pair.
        """
        rows, plan_rows, offset = [], {}, 0
        for j in range(len(teacher)):
            keys = [key for key in pairs if key[1] == j]
            wanted = torch.cat([pairs[key][1] for key in keys])
            used, inverse = torch.unique(wanted, return_inverse=True)
            rows.append(used)
            sizes = [len(pairs[key][1]) for key in keys]
            for key, inv in zip(keys, inverse.split(sizes)):
                plan_rows[key] = inv + offset
            offset += len(used)
        # each view's head output goes straight into one (N, K) float32
        # tensor, scaled in place: no per-view copies, no concatenation
        logits = torch.empty(
            offset, teacher_net.num_prototypes, device=rows[0].device)
        start = 0
        for t, used in zip(teacher, rows):
            teacher_net.target_logits(
                t.take_feats(), used, out=logits[start:start + len(used)])
            start += len(used)
        winners = logits.argmax(1)
        log_q = self.target(logits.div_(self.teacher_temp), overwrite=True)
        return TargetPlan(log_q, plan_rows, winners)

    def loss(self, student: List[CosineLogits], student_cells: List[Tensor],
             plan: TargetPlan, pairs: Pairs,
             batch_size: int) -> Optional[Tensor]:
        """The sum over student views of their weighted terms.

        Args:
            student (list[CosineLogits]): each view's (M_i, K) student
                logits, as their factors.
            student_cells (list[Tensor]): each view's (M_i, 4) cells.
            plan (TargetPlan): the teacher targets.
            pairs (dict): matched rows of each (student, teacher) view pair.
            batch_size (int): number of scans.

        Returns:
            Tensor: the float32 loss; None when no view has an observable
            cell (the caller gives a zero connected to its parameters).
        """
        terms = []
        for i, (logits, cells) in enumerate(zip(student, student_cells)):
            term = self.view_term(i, logits, cells[:, 0], plan, pairs,
                                  batch_size)
            if term is not None:
                terms.append(term)
        return torch.stack(terms).sum() if terms else None

    def view_term(self, i: int, logits: CosineLogits, scan: Tensor,
                  plan: TargetPlan, pairs: Pairs,
                  batch_size: int) -> Optional[Tensor]:
        """w * same-view + (1 - w) * mean cross-view term of student view
        ``i`` (the mean over the cross views with matched cells; w = 1 when
        there is none), each term its (R, K) student logits against its
        (R, K) rows of the target plan; None when the view has no
        observable cell. ``scan`` (M_i,) is the scan of each cell.
        """
        keys = [key for key in pairs if key[0] == i]
        cross = [key for key in keys if key[1] != i and len(pairs[key][0])]
        terms = []
        for key in keys:
            s_rows = pairs[key][0]
            if key[1] == i:
                weight = self.same_view_weight if cross else 1.0
            elif key in cross:
                weight = (1 - self.same_view_weight) / len(cross)
            else:
                weight = 0.0
            terms.append((s_rows, plan.rows[key], scan[s_rows], weight))
        value = self.loss_module(logits, plan.log_q, terms, batch_size)
        return value if len(pairs[(i, i)][0]) else None

    @torch.no_grad()
    def usage(self, winners: Tensor, num_prototypes: int,
              device) -> Dict[str, Tensor]:
        """Prototype usage of the teacher at the target cells, whose top
        prototypes are ``winners`` (N,), over the global batch, against the
        Zipf prior of the exponent in force; and the rank agreement of the
        target generator's usage estimate."""
        out = prototype_usage(
            winners.to(device), num_prototypes, self.target.alpha,
            self.collapse_fraction)
        out['usage_rank_agreement'] = self.target.last_rank_agreement.to(
            device)
        return out
