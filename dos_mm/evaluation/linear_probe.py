"""Linear probing: one linear layer on frozen features."""
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class ProbeConfig:
    """Optimisation of the probe (full-batch AdamW on standardised
    features)."""
    epochs: int = 300
    lr: float = 1e-2
    weight_decay: float = 1e-4
    seed: int = 0


class LinearProbe(nn.Module):
    """``Linear(C, num_classes)`` after a fixed standardisation.

    Args:
        mean (Tensor): (C,) feature mean of the training set.
        std (Tensor): (C,) feature std of the training set.
        num_classes (int): output classes.
    """

    def __init__(self, mean: Tensor, std: Tensor, num_classes: int) -> None:
        super().__init__()
        self.register_buffer('mean', mean)
        self.register_buffer('std', std.clamp(min=1e-6))
        self.linear = nn.Linear(len(mean), num_classes)

    def forward(self, feats: Tensor) -> Tensor:
        """(N, C) -> (N, num_classes) logits."""
        return self.linear((feats - self.mean) / self.std)


def fit_linear_probe(feats: Tensor,
                     labels: Tensor,
                     num_classes: int,
                     cfg: Optional[ProbeConfig] = None) -> LinearProbe:
    """Fit a linear probe by full-batch cross-entropy.

    Args:
        feats (Tensor): (N, C) frozen features of labelled points.
        labels (Tensor): (N,) int64 labels in [0, num_classes).
        num_classes (int): number of classes.
        cfg (ProbeConfig, optional): optimisation settings.

    Returns:
        LinearProbe: the trained probe (eval mode).
    """
    if len(feats) != len(labels) or len(feats) == 0:
        raise ValueError(f'need as many labels as features (> 0), got '
                         f'{len(feats)} features and {len(labels)} labels')
    if int(labels.min()) < 0 or int(labels.max()) >= num_classes:
        raise ValueError(f'labels must lie in [0, {num_classes}), got '
                         f'[{int(labels.min())}, {int(labels.max())}]')
    cfg = cfg or ProbeConfig()
    torch.manual_seed(cfg.seed)
    feats = feats.float()
    probe = LinearProbe(feats.mean(0), feats.std(0), num_classes)
    normed = (feats - probe.mean) / probe.std  # once, not every epoch
    opt = torch.optim.AdamW(
        probe.linear.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    for _ in range(cfg.epochs):
        loss = F.cross_entropy(probe.linear(normed), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return probe.eval()


@torch.no_grad()
def predict(probe: LinearProbe, feats: Tensor) -> Tuple[Tensor, Tensor]:
    """(N, C) features -> (N,) predicted class and (N,) confidence."""
    prob = probe(feats.float()).softmax(1)
    conf, pred = prob.max(1)
    return pred, conf


def class_balanced_sample(labels: Tensor, num_classes: int, budget: int,
                          generator: torch.Generator) -> Tensor:
    """Rows of at most ``budget`` labelled points (labels >= 0), as evenly
    over the classes present as they allow: each class gives up to an equal
    share, and the share of classes with fewer points goes to the others.

    Returns:
        Tensor: (R,) int64 rows, R = min(budget, labelled points).
    """
    rows = [torch.nonzero(labels == c).squeeze(1) for c in range(num_classes)]
    rows = [
        r[torch.randperm(len(r), generator=generator)] for r in rows if len(r)
    ]
    rows.sort(key=len)
    chosen, left = [], budget
    for i, r in enumerate(rows):
        take = min(len(r), left // (len(rows) - i))
        chosen.append(r[:take])
        left -= take
    return torch.cat(chosen) if chosen else labels.new_zeros(0)
