"""How the teacher's target cells spread over the K prototypes."""
import logging
from typing import Dict

import torch
from mmengine import dist
from mmengine.logging import print_log
from torch import Tensor

from dos_mm.functional import zipf_prior


@torch.no_grad()
def prototype_usage(winners: Tensor, num_prototypes: int, alpha: float,
                    collapse_fraction: float) -> Dict[str, Tensor]:
    """Usage statistics of the prototypes over the global batch.

    Args:
        winners (Tensor): (N,) the prototype each target cell's logits rank
            first on this rank.
        num_prototypes (int): K.
        alpha (float): Zipf exponent of the prior to compare with.
        collapse_fraction (float): when at most this fraction of the K
            prototypes wins any cell of the global batch, a collapse is
            logged as a warning.

    Returns:
        dict: ``proto_entropy`` of the usage, ``protos_in_use``,
        ``collapsed`` (1. or 0.) and ``zipf_kl`` (KL of the ranked usage to
        the Zipf prior), scalars on ``winners``' device.
    """
    k = num_prototypes
    hist = torch.bincount(winners, minlength=k).float()
    dist.all_reduce(hist, op='sum')
    usage = hist / hist.sum().clamp(min=1)
    entropy = -(torch.xlogy(usage, usage)).sum()
    prior = zipf_prior(k, alpha, device=hist.device)
    ranked = usage.sort(descending=True).values
    zipf_kl = (torch.xlogy(ranked, ranked) - ranked * prior.log()).sum()
    in_use = (hist > 0).sum().float()
    collapsed = bool(hist.sum() > 0) and \
        float(in_use) <= max(1.0, collapse_fraction * k)
    if collapsed:
        print_log(
            f'prototype collapse: {int(in_use)} of {k} prototypes win '
            'any cell of the batch. Consider a lower teacher '
            'temperature, a larger Zipf alpha or a lower learning rate',
            logger='current',
            level=logging.WARNING)
    return dict(
        proto_entropy=entropy,
        protos_in_use=in_use,
        collapsed=torch.tensor(float(collapsed), device=hist.device),
        zipf_kl=zipf_kl)
