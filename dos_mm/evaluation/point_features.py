"""Per-point features of a frozen DOS encoder (for probes and pictures)."""
from typing import Dict

import torch
from torch import Tensor


@torch.no_grad()
def encode_scan(model, points: Tensor, net: str = 'teacher') -> Dict:
    """Encode one whole scan (no masking, no augmentation) with a frozen
    network of a DOS model, in eval mode (BN running statistics).

    Args:
        model (DOS): the pretraining model (its voxeliser is used).
        points (Tensor): (N, C) points of the scan.
        net (str): ``'teacher'`` or ``'student'``.

    Returns:
        dict: ``feats`` (M, C') up-cast features of the scan's cells,
        ``logits`` (M, K) prototype cosines, ``point_cell`` (P,) cell of
        each voxelised point, ``rows`` (P,) those points' rows in
        ``points`` (points outside the voxel range have none) and
        ``cells`` (M, 4).
    """
    encoder = model.teacher.module if net == 'teacher' else model.student
    was_training = model.training
    model.eval()
    try:
        pre = model.data_preprocessor
        batch = torch.zeros(len(points), dtype=torch.long)
        keep = torch.ones(len(points), dtype=torch.bool)
        origin = None
        if pre.voxel_type == 'minkunet':
            size = points.new_tensor(pre.voxel_layer.voxel_size)
            origin = torch.round(points[:, :3] / size).min(0)[0].long()[None]
        vox = pre.voxelize_set(points, batch, keep, 1, origin)
        out = encoder.features(vox, vox['point_vox'], 1)
        out['logits'] = encoder.head(out['feats'])
        out['rows'] = vox['point_rows']
        return out
    finally:
        model.train(was_training)
