"""The network DOS trains: voxel encoder, backbone, neck and head.

The teacher is an EMA copy of exactly this module, so "what does the teacher
copy?" has one answer.
"""
import copy
import logging
from typing import Dict, Optional, Tuple

import torch
from mmdet3d.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..heads import CosineLogits
from ..utils.cells import coarsen, pack_keys, segment_mean, unique_cells
from .encoding import Encoding

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
    """Voxels of one view -> features at the loss cells, and the head
    passes on them.

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
        self.head = MODELS.build(self._head_with_width(dict(head)))
        self.loss_level = loss_level
        self.mask_token = nn.Parameter(torch.zeros(mask_token_channels)) \
            if mask_token_channels else None

    def _head_with_width(self, head: dict) -> dict:
        """``head`` with ``in_channels``, the width of the neck's features,
        derived from the backbone's levels (a width stated in the config
        must equal it)."""
        levels = getattr(self.backbone, 'level_channels', None)
        width = getattr(self.neck, 'out_channels', None)
        derived = width(levels) if levels is not None and width else None
        stated = head.get('in_channels')
        if derived is None:
            if stated is None:
                raise ValueError(
                    f'{type(self.backbone).__name__} does not report its '
                    'level widths: state model.encoder.head.in_channels, '
                    "the channels of the neck's features")
            return head
        if stated is not None and int(stated) != derived:
            raise ValueError(
                f'model.encoder.head.in_channels={stated}, but the neck '
                f'gives {derived} channels (levels {levels}). Fix: leave '
                'in_channels out; it is derived from the backbone')
        head['in_channels'] = derived
        return head

    @property
    def feature_channels(self) -> int:
        """C, the channels of the neck features the head reads."""
        return self.head.in_channels

    @property
    def num_prototypes(self) -> int:
        """K."""
        return self.head.num_prototypes

    def features(self,
                 voxels: Dict[str, Tensor],
                 point_vox: Tensor,
                 batch_size: int,
                 token_mask: Optional[Tensor] = None,
                 coarse_only: bool = False) -> Encoding:
        """Backbone + neck: up-cast multi-scale features at the loss cells.

        Args:
            voxels (dict): ``voxels`` and ``coors`` (V, 4) (scan first), and
                ``num_points`` for hard voxelisation.
            point_vox (Tensor): (P, 4) voxel coords (scan, a, b, c) of the
                points to gather cells for, in the order of ``coors``.
            batch_size (int): number of scans.
            token_mask (Tensor, optional): (V,) bool: those voxels' input
                features are replaced by the mask token (ablation only).
            coarse_only (bool): leave out the levels finer than the loss
                cells (the probes' features).

        Returns:
            Encoding: without keys and centroids (:meth:`encode` adds
            them; probes and baselines need neither).
        """
        levels = self.levels(voxels, batch_size, token_mask)
        return self.gather(levels, point_vox, coarse_only)

    def levels(self,
               voxels: Dict[str, Tensor],
               batch_size: int,
               token_mask: Optional[Tensor] = None) -> Tuple[list, list]:
        """Voxel encoder + backbone: ``(levels, strides)``, the backbone's
        sparse tensors and their per-axis strides (arguments as
        :meth:`features`)."""
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
        return self.backbone(feats, voxels['coors'], batch_size)

    def gather(self,
               levels: Tuple[list, list],
               point_vox: Tensor,
               coarse_only: bool = False) -> Encoding:
        """The neck's features of :meth:`levels` at the loss cells of the
        points ``point_vox`` (arguments as :meth:`features`); the neck has
        no parameters, so one backbone pass can be gathered both ways."""
        levels, strides = levels
        stride = strides[self.loss_level]
        cells, point_cell = unique_cells(coarsen(point_vox.long(), stride))
        out, missing = self.neck(levels, strides, cells, stride, coarse_only)
        return Encoding(
            cells=cells,
            point_cell=point_cell,
            feats=out,
            stride=torch.tensor(stride),
            missing=missing.float())

    def encode(self, inputs: Dict[str, Tensor], orig_coord: Tensor,
               batch_size: int) -> Encoding:
        """Encode one view's input, as the preprocessor built it.

        Args:
            inputs (dict): a voxel dict (see :meth:`features`) with
                ``point_vox`` (P', 4) and ``point_rows`` (P',) of the points
                whose cells are wanted, and ``token_mask`` (V,) for the
                mask-token ablation.
            orig_coord (Tensor): (P, 3) original coordinates of the view's
                points (``point_rows`` index it).
            batch_size (int): number of scans.

        Returns:
            Encoding: with keys and centroids; :meth:`Encoding.empty` when
            nothing is in range, or when so few voxels are left that a
            coarse level holds one (training-mode BatchNorm cannot
            normalise a single value: logged and counted as empty).
        """
        device = inputs['point_vox'].device
        rows = inputs['point_rows']
        if len(inputs['coors']) < 2 or len(rows) == 0:
            return Encoding.empty(self.feature_channels, device)
        try:
            out = self.features(inputs, inputs['point_vox'], batch_size,
                                inputs.get('token_mask'))
        except ValueError as exc:
            if 'more than 1 value per channel' not in str(exc):
                raise
            print_log(
                f'DOS: a view of {len(inputs["coors"])} voxels collapses '
                'to a single voxel at a coarse level; counted as empty',
                logger='current',
                level=logging.WARNING)
            return Encoding.empty(self.feature_channels, device)
        out.keys = pack_keys(out.cells)
        out.centroid = segment_mean(orig_coord[rows], out.point_cell,
                                    len(out.cells))
        return out

    def logits(self, feats: Tensor) -> Tensor:
        """(M, C) features -> (M, K) float32 cosine logits."""
        return self.head(feats)

    def embed(self, feats: Tensor, temperature: float) -> CosineLogits:
        """(M, C) features -> the (M, K) cosine logits over
        ``temperature``, kept as their factors (the student's loss never
        materialises them for backward)."""
        emb, protos = self.head.embed(feats)
        return CosineLogits(emb, protos, temperature)

    @torch.no_grad()
    def target_logits(self,
                      feats: Tensor,
                      rows: Tensor,
                      out: Optional[Tensor] = None,
                      chunk: int = 1024) -> Tensor:
        """(R, K) cosine logits of ``feats[rows]``, written into ``out``
        when given, ``chunk`` rows at a time: the head has no batch
        statistics, so this equals one call, and the projector's
        (R, hidden) activations never exist at once (two (chunk, hidden)
        tensors instead). The teacher's pass."""
        if out is None:
            out = feats.new_empty(len(rows), self.num_prototypes)
        start = 0
        for part in rows.split(chunk):
            out[start:start + len(part)] = self.head(feats[part])
            start += len(part)
        return out
