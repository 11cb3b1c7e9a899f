"""Frozen MinkUNet returning up-cast multi-scale features: the backbone of
the linear-probe protocol in mmdet3d's ``MinkUNet`` segmentor."""
from typing import Optional, Sequence

import torch
from mmdet3d.registry import MODELS
from torch import Tensor

from ..necks.upcast_neck import UpcastNeck
from .multiscale_minkunet import MultiScaleMinkUNet


@MODELS.register_module()
class FrozenUpcastMinkUNet(MultiScaleMinkUNet):
    """A frozen ``MinkUNetBackbone`` whose output is the concatenation of its
    decoder levels, each up-cast to the input voxels.

    With ``MinkUNetHead`` (one ``nn.Linear``) on top this is the linear probe
    of the DOS protocol, inside mmdet3d's own segmentor, data pipeline and
    ``SegMetric``. The parameters keep mmdet3d's names, so a checkpoint
    converted with ``--target minkunet`` loads into ``backbone``. The module
    never trains: its parameters do not require gradients, ``train()`` keeps
    it in eval mode (BatchNorm running statistics stay those of
    pretraining), and its forward runs without autograd.

    Args:
        levels (Sequence[int], optional): decoder levels to concatenate
            (0 = coarsest); all by default, e.g. 256 + 128 + 96 + 96 = 576
            channels for MinkUNet34.
        **kwargs: the arguments of ``MinkUNetBackbone`` (spconv backend).
    """

    def __init__(self,
                 levels: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.neck = UpcastNeck(levels)
        self.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> 'FrozenUpcastMinkUNet':
        """Stays in eval mode whatever the segmentor asks."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, voxel_features: Tensor, coors: Tensor) -> Tensor:
        """Args: voxel_features (M, C); coors (M, 4) as (scan, x, y, z), the
        ``batch_first=True`` layout of mmdet3d's spconv MinkUNet.

        Returns:
            Tensor: (M, sum of level channels) features of the input voxels,
            in their order.
        """
        batch_size = int(coors[:, 0].max()) + 1 if len(coors) else 1
        feats, strides = super().forward(voxel_features, coors, batch_size)
        return self.neck(feats, strides, coors.long(), (1, 1, 1))[0]
