"""The network DOS trains: voxel encoder, backbone, neck and head.

The teacher is an EMA copy of exactly this module, so "what does the teacher
copy?" has one answer.
"""
import copy
from typing import Dict, Optional

import torch
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..utils.cells import coarsen, unique_cells

# mmdet3d backbones -> their multi-scale twins (same parameters and names)
MULTI_SCALE_TWINS = {
    'SparseEncoder': 'MultiScaleSparseEncoder',
    'MinkUNetBackbone': 'MultiScaleMinkUNet',
}


def build_multiscale_backbone(cfg: dict):
    """Build ``cfg``, swapping an mmdet3d backbone type for its multi-scale
    twin, so that a pretraining config can reuse the downstream model's
    backbone config verbatim."""
    cfg = copy.deepcopy(dict(cfg))  # mmdet3d backbones mutate list args
    cfg['type'] = MULTI_SCALE_TWINS.get(cfg['type'], cfg['type'])
    cfg.pop('return_middle_feats', None)
    return MODELS.build(cfg)


class DOSEncoder(BaseModule):
    """Voxels of one view -> cosine logits at the loss cells.

    Args:
        backbone (dict): a module returning ``(levels, strides)``: sparse
            tensors and their per-axis strides. mmdet3d's ``SparseEncoder``
            and ``MinkUNetBackbone`` configs are accepted as they are and
            built as their multi-scale twins.
        neck (dict): e.g. ``UpcastNeck``.
        head (dict): e.g. ``PrototypeHead``.
        voxel_encoder (dict, optional): e.g. ``HardSimpleVFE``
            (CenterPoint); None when voxels are already features (MinkUNet).
        loss_level (int): index of the backbone level whose voxels are the
            loss cells (``SparseEncoder``: 0 = stride 2).
        mask_token_channels (int, optional): creates a learnable mask token
            of this many channels (the backbone's input channels) for the
            paper's "masked distillation with mask tokens" ablation.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 voxel_encoder: Optional[dict] = None,
                 loss_level: int = 0,
                 mask_token_channels: Optional[int] = None) -> None:
        super().__init__()
        self.voxel_encoder = MODELS.build(voxel_encoder) \
            if voxel_encoder else None
        self.backbone = build_multiscale_backbone(backbone)
        self.neck = MODELS.build(neck)
        self.head = MODELS.build(head)
        self.loss_level = loss_level
        self.mask_token = nn.Parameter(torch.zeros(mask_token_channels)) \
            if mask_token_channels else None

    def features(self,
                 voxels: Dict[str, Tensor],
                 point_vox: Tensor,
                 batch_size: int,
                 token_mask: Optional[Tensor] = None,
                 coarse_only: bool = False) -> Dict[str, Tensor]:
        """Backbone + neck: up-cast multi-scale features at the loss cells.

        ``token_mask`` (V,) bool replaces those voxels' input features with
        the mask token (ablation only); ``coarse_only`` leaves out the
        levels finer than the loss cells (the probes' features).

        Returns:
            dict: ``cells`` (M, 4), ``point_cell`` (P,), ``feats`` (M, C)
            and ``stride`` (3,) of the cells.
        """
        feats = voxels['voxels']
        if self.voxel_encoder is not None:
            feats = self.voxel_encoder(feats, voxels['num_points'],
                                       voxels['coors'])
        if token_mask is not None:
            if self.mask_token is None:
                raise ValueError('token_mask given but the encoder has no '
                                 'mask token: set mask_token_channels')
            feats = torch.where(token_mask[:, None],
                                self.mask_token.to(feats.dtype), feats)
        levels, strides = self.backbone(feats, voxels['coors'], batch_size)
        stride = strides[self.loss_level]
        cells, point_cell = unique_cells(coarsen(point_vox.long(), stride))
        return dict(
            cells=cells,
            point_cell=point_cell,
            feats=self.neck(levels, strides, cells, stride, coarse_only),
            stride=torch.tensor(stride))

    def forward(self,
                voxels: Dict[str, Tensor],
                point_vox: Tensor,
                batch_size: int,
                token_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Encode one set of voxels.

        Args:
            voxels (dict): ``voxels`` and ``coors`` (V, 4) (scan first), and
                ``num_points`` for hard voxelisation.
            point_vox (Tensor): (P, 4) voxel coords (scan, a, b, c) of the
                points to gather cells for, in the order of ``coors``.
            batch_size (int): number of scans.
            token_mask (Tensor, optional): (V,) voxels given the mask token.

        Returns:
            dict: ``cells`` (M, 4) unique loss cells of the points,
            ``point_cell`` (P,) row of each point's cell, ``logits`` (M, K)
            cosine logits and ``stride`` (3,) of the loss cells.
        """
        out = self.features(voxels, point_vox, batch_size, token_mask)
        out['logits'] = self.head(out.pop('feats'))
        return out
