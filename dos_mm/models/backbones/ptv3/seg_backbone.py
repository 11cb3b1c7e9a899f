"""PTv3 backbones for mmdet3d's ``MinkUNet`` segmentor: fine-tuning with a
light decoder, and the frozen linear probe."""
from typing import Optional, Sequence

import torch
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ...necks.upcast_neck import UpcastNeck
from .encoder import PointTransformerV3


def _scans(coors: Tensor) -> int:
    return int(coors[:, 0].max()) + 1 if len(coors) else 1


@MODELS.register_module()
class PTv3SegBackbone(BaseModule):
    """PTv3 encoder and a light decoder: per-voxel features for
    ``MinkUNetHead``.

    The decoder projects every encoder stage to ``channels`` with a linear
    layer, up-casts each to the input voxels (a voxel takes the feature of
    the cell containing it, as :class:`UpcastNeck` does) and sums them, then
    LayerNorm and GELU: a feature-pyramid decoder without attention.
    PTv3's own decoder (unpooling stages of blocks) is heavier; this one
    keeps fine-tuning close to the probe. The encoder's parameters sit
    under ``encoder``, so a checkpoint converted with ``--target ptv3``
    loads with ``BackbonePretrained(prefix='backbone.encoder')``.

    Args:
        channels (int): decoder (and head) channels.
        encoder (dict): arguments of :class:`PointTransformerV3`.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 channels: int = 96,
                 encoder: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.encoder = PointTransformerV3(**(encoder or {}))
        self.lateral = nn.ModuleList(
            nn.Linear(c, channels) for c in self.encoder.channels)
        self.norm = nn.LayerNorm(channels)
        self.act = nn.GELU()
        self.upcast = UpcastNeck()
        self.channels = channels

    def forward(self, voxel_features: Tensor, coors: Tensor) -> Tensor:
        """Args: voxel_features (M, C_in); coors (M, 4) as (scan, x, y, z).

        Returns:
            Tensor: (M, channels) features of the input voxels, in order.
        """
        levels, strides = self.encoder(voxel_features, coors, _scans(coors))
        projected = [
            lv.replace_feature(proj(lv.features))
            for lv, proj in zip(levels, self.lateral)
        ]
        # projecting then up-casting = up-casting then projecting
        out, _ = self.upcast(projected, strides, coors.long(), (1, 1, 1))
        summed = out.view(len(coors), len(levels), self.channels).sum(1)
        return self.act(self.norm(summed))


@MODELS.register_module()
class FrozenUpcastPTv3(BaseModule):
    """A frozen PTv3 encoder whose output is every stage up-cast to the
    input voxels and concatenated: the linear probe's backbone.

    With ``MinkUNetHead`` (one ``nn.Linear``) on top this is the linear
    probe of the DOS protocol in mmdet3d's segmentor. The encoder never
    trains: no gradients, eval mode whatever the segmentor asks, forward
    without autograd. Its parameters sit under ``encoder``, as in
    :class:`PTv3SegBackbone`.

    Args:
        levels (Sequence[int], optional): stages to concatenate (0 =
            stride 1); all by default (1232 channels for the default sizes).
        encoder (dict): arguments of :class:`PointTransformerV3`.
    """

    def __init__(self,
                 levels: Optional[Sequence[int]] = None,
                 encoder: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.encoder = PointTransformerV3(**(encoder or {}))
        self.neck = UpcastNeck(levels)
        self.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> 'FrozenUpcastPTv3':
        """Stays in eval mode whatever the segmentor asks."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, voxel_features: Tensor, coors: Tensor) -> Tensor:
        """Args and order as :meth:`PTv3SegBackbone.forward`; returns
        (M, sum of stage channels)."""
        levels, strides = self.encoder(voxel_features, coors, _scans(coors))
        return self.neck(levels, strides, coors.long(), (1, 1, 1))[0]
