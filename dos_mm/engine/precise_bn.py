"""BatchNorm running statistics recomputed from training batches.

A BatchNorm layer's running mean and variance follow an exponential moving
average (momentum 0.01 in mmdet3d's CenterPoint, so a statistic keeps
``0.99**t`` of its starting value after ``t`` steps). After a short
fine-tune they are still partly the initial ones, stale by an amount that
depends on the run, and a model evaluated with them is scored on that
rather than on its weights. Recomputing them with the weights fixed, as an
equal-weight average over a fixed number of batches, removes that (Wu and
Johnson, "Rethinking 'Batch' in BatchNorm", 2021; mmpretrain's
``PreciseBNHook``, which is not in this stack, does the same for images).
"""
import itertools
from typing import Dict, Iterable, List

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def batchnorm_layers(model: nn.Module) -> List[_BatchNorm]:
    """Every BatchNorm layer of ``model`` that keeps running statistics."""
    return [
        m for m in model.modules()
        if isinstance(m, _BatchNorm) and m.track_running_stats
    ]


@torch.no_grad()
def recompute_bn_statistics(model: nn.Module, batches: Iterable[dict],
                            num_batches: int) -> int:
    """Replace the running mean and variance of every BatchNorm layer of
    ``model`` by their average over ``num_batches`` batches.

    Each layer's statistic becomes the mean over the batches of the batch
    mean (and of the unbiased batch variance), every batch weighted
    equally: PyTorch's cumulative average (``momentum=None``) from reset
    statistics. The weights do not change. Layers that a module keeps in
    eval mode while training (``FrozenSparseEncoder``) are recomputed too,
    so a frozen encoder is normalised with statistics of the data it is
    evaluated on, like every other arm. Under distributed training each
    rank averages its own batches and the ranks' averages are averaged.

    Args:
        model (nn.Module): an mmengine model (or its wrapper); each batch
            goes through its ``data_preprocessor`` and its ``loss`` forward.
        batches (Iterable[dict]): data-loader batches (training pipeline).
        num_batches (int): how many to average; ``batches`` must hold at
            least that many.

    Returns:
        int: the number of layers recomputed.

    Raises:
        ValueError: ``num_batches`` < 1, or ``batches`` ran out first.
    """
    if num_batches < 1:
        raise ValueError(f'num_batches must be >= 1, got {num_batches}')
    if is_model_wrapper(model):
        model = model.module
    layers = batchnorm_layers(model)
    if not layers:
        return 0
    modes: Dict[nn.Module, bool] = {m: m.training for m in model.modules()}
    momenta = [bn.momentum for bn in layers]
    try:
        model.train()
        for bn in layers:
            bn.train()
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average
        seen = 0
        for batch in itertools.islice(batches, num_batches):
            data = model.data_preprocessor(batch, True)
            if isinstance(data, dict):
                model(**data, mode='loss')
            else:
                model(*data, mode='loss')
            seen += 1
        if seen < num_batches:
            raise ValueError(f'the loader gave {seen} batches, fewer than '
                             f'num_batches={num_batches}. Fix: lower '
                             'num_batches or use an infinite sampler')
        if get_world_size() > 1:
            for bn in layers:
                for stat in (bn.running_mean, bn.running_var):
                    all_reduce(stat, op='mean')
    finally:
        for bn, momentum in zip(layers, momenta):
            bn.momentum = momentum
        for module, training in modes.items():
            module.training = training
    return len(layers)
