"""Per-point features of a frozen DOS encoder (for probes and pictures)."""
from typing import Dict

import torch
from torch import Tensor


def model_device(model) -> torch.device:
    """The device of a model's parameters (where its inputs must go)."""
    return next(model.parameters()).device


@torch.no_grad()
def encode_scan(model,
                points: Tensor,
                net: str = 'teacher',
                coarse_only: bool = False) -> Dict:
    """Encode one whole scan (no masking, no augmentation) with a frozen
    network of a DOS model, in eval mode (BN running statistics).

    Args:
        model (DOS): the pretraining model (its voxeliser is used).
        points (Tensor): (N, C) points of the scan.
        net (str): ``'teacher'`` or ``'student'``.
        coarse_only (bool): features of the loss level and the coarser
            levels only (the probes'); then there are no ``logits`` (the
            head reads every level).

    Returns:
        dict: ``feats`` (M, C') up-cast features of the scan's cells,
        ``logits`` (M, K) prototype cosines, ``point_cell`` (P,) cell of
        each voxelised point, ``rows`` (P,) those points' rows in
        ``points`` (points outside the voxel range have none) and
        ``cells`` (M, 4); all on the model's device.
    """
    encoder = model.teacher.module if net == 'teacher' else model.student
    points = points.to(model_device(model))
    was_training = model.training
    model.eval()
    try:
        vox = model.data_preprocessor.voxelize_scans(
            points,
            torch.zeros(len(points), dtype=torch.long, device=points.device),
            1)
        enc = encoder.features(
            vox, vox['point_vox'], 1, coarse_only=coarse_only)
        out = dict(
            cells=enc.cells,
            point_cell=enc.point_cell,
            feats=enc.feats,
            rows=vox['point_rows'])
        if not coarse_only:
            out['logits'] = encoder.logits(enc.feats)
        return out
    finally:
        model.train(was_training)
