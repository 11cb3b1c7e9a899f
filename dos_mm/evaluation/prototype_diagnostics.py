"""What a pretrained teacher's prototypes mean, read on labelled held-out
scans without a probe: how the teacher's top prototypes split each class,
how much they say about the labels, and how sharp the softmaps of often
and rarely used prototypes are."""
from typing import Dict, List, Sequence, Tuple

import torch
from torch import Tensor

from dos_mm.functional import usage_ranks
from .point_features import encode_scan


def prototypes_per_class(labels: Tensor,
                         winners: Tensor,
                         num_classes: int,
                         share: float = 0.01) -> Tensor:
    """(C,) float: for each class, the number of prototypes that win at
    least ``share`` of its points (NaN for a class without points).

    Args:
        labels (Tensor): (P,) class of each point, -1 ignored.
        winners (Tensor): (P,) the teacher's top prototype of each point.
        num_classes (int): C.
        share (float): the fraction of a class's points a prototype must
            win to count.
    """
    out = torch.full((num_classes, ), float('nan'))
    for c in range(num_classes):
        won = winners[labels == c]
        if len(won):
            counts = torch.bincount(won)
            out[c] = float((counts >= share * len(won)).sum())
    return out


def normalised_mutual_information(labels: Tensor, winners: Tensor) -> float:
    """NMI (arithmetic normalisation, scikit-learn's) of the labelled
    points' classes and top prototypes: 1 when the prototypes name the
    classes, 0 when they say nothing about them."""
    from sklearn.metrics import normalized_mutual_info_score
    keep = labels >= 0
    return float(
        normalized_mutual_info_score(labels[keep].cpu().numpy(),
                                     winners[keep].cpu().numpy()))


def softmap_entropy(logits: Tensor, temperature: float) -> Tensor:
    """(K,) normalised entropy of each prototype's softmap over the M cells
    of one scene, ``softmax_i(logits[i, k] / temperature)``: 1 for a softmap
    spread evenly over the scene, 0 for one cell.

    Args:
        logits (Tensor): (M, K) cosine logits of one scene, M >= 2.
        temperature (float): the softmap's temperature (tau_T).
    """
    if logits.shape[0] < 2:
        raise ValueError(f'a softmap needs at least 2 cells, got '
                         f'{logits.shape[0]}')
    log_p = torch.log_softmax(logits.float() / temperature, dim=0)  # (M, K)
    entropy = -(log_p.exp() * log_p).sum(0)  # (K,)
    return entropy / torch.log(torch.tensor(float(logits.shape[0])))


def head_tail_entropy(entropy: Tensor,
                      usage: Tensor,
                      head_fraction: float = 0.1,
                      tail_fraction: float = 0.5) -> Tuple[float, float]:
    """Mean (K,) softmap entropy of the most used ``head_fraction`` and the
    least used ``tail_fraction`` of the prototypes, ranked by ``usage``."""
    ranks = usage_ranks(usage.cpu())
    k = len(ranks)
    head = ranks < max(1, int(round(head_fraction * k)))
    tail = ranks >= k - max(1, int(round(tail_fraction * k)))
    entropy = entropy.cpu()
    return float(entropy[head].mean()), float(entropy[tail].mean())


@torch.no_grad()
def prototype_diagnostics(model, scans: Sequence[Tuple[Tensor, Tensor]],
                          num_classes: int,
                          temperature: float) -> Dict[str, object]:
    """The diagnostics of a DOS model's teacher on labelled scans.

    Args:
        model (DOS): a pretrained model (its teacher and its usage buffer,
            ``head.target.usage``, are read).
        scans: (points (N, C), labels (N,)) pairs, labels -1 ignored.
        num_classes (int): C.
        temperature (float): tau_T of the softmaps (the schedule's final
            teacher temperature).

    Returns:
        dict: ``nmi``, ``protos_per_class`` (mean over the classes present)
        and ``protos_per_class_by_class`` (list of C, NaN where absent),
        ``softmap_entropy_head`` and ``softmap_entropy_tail`` (means over
        the scans).
    """
    labels_all: List[Tensor] = []
    winners_all: List[Tensor] = []
    heads, tails = [], []
    usage = model.head.target.usage
    for points, labels in scans:
        enc = encode_scan(model, points, 'teacher')
        logits = enc['logits']  # (M, K)
        winners_all.append(logits.argmax(1)[enc['point_cell']].cpu())
        labels_all.append(labels[enc['rows'].cpu()])
        if len(logits) >= 2:
            h, t = head_tail_entropy(
                softmap_entropy(logits, temperature), usage)
            heads.append(h)
            tails.append(t)
    labels_cat, winners_cat = torch.cat(labels_all), torch.cat(winners_all)
    per_class = prototypes_per_class(labels_cat, winners_cat, num_classes)
    present = per_class[~torch.isnan(per_class)]
    return dict(
        nmi=normalised_mutual_information(labels_cat, winners_cat),
        protos_per_class=float(present.mean()) if len(present) else 0.0,
        protos_per_class_by_class=per_class.tolist(),
        softmap_entropy_head=sum(heads) / max(len(heads), 1),
        softmap_entropy_tail=sum(tails) / max(len(tails), 1))
