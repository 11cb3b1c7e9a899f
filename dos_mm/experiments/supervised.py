"""Supervised training of the DOS student network (the upper bound of the
SSL benchmark): same voxel encoder, backbone and neck, a linear head."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from dos_mm.datasets.transforms import DOSMultiView


def train_supervised(model,
                     scans: Sequence[Tuple[Tensor, Tensor]],
                     num_classes: int,
                     iters: int,
                     lr: float = 1e-3,
                     batch: int = 2,
                     seed: int = 0) -> torch.nn.Module:
    """Train ``model.student`` (minus the projector head) with per-point
    cross-entropy on labelled scans, each step on ``batch`` scans augmented
    like one DOS view (rotation, flip, scaling, jitter; no crop).

    Args:
        model (DOS): the model whose ``student`` network is trained.
        scans: (points (N, C), labels (N,) with -1 ignored) pairs.
        num_classes (int): number of classes.
        iters (int): optimizer steps.
        lr (float): AdamW learning rate.
        batch (int): scans per step.
        seed (int): seed of the scan order and augmentation.

    Returns:
        nn.Module: the linear head (the student is trained in place).
    """
    if not scans:
        raise ValueError('supervised training needs at least one scan')
    if model.data_preprocessor.voxel_type != 'hard':
        raise ValueError('train_supervised supports hard voxelisation '
                         "(CenterPoint-style configs) only, got "
                         f'{model.data_preprocessor.voxel_type!r}')
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    views = DOSMultiView(num_views=1, crop_ratio=(1.0, 1.0), seed=seed)
    student, pre = model.student, model.data_preprocessor
    device = next(student.parameters()).device
    head = torch.nn.Linear(student.feature_channels,
                           num_classes).to(device)
    params = [
        p for n, p in student.named_parameters() if not n.startswith('head.')
    ] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    model.train()
    for _ in range(iters):
        chosen = torch.randperm(len(scans), generator=gen)[:batch].tolist()
        pts, lbl, scan = [], [], []
        for b, i in enumerate(chosen):
            points, labels = scans[i]
            view = views(dict(points=points.numpy()))['dos_views'][0]
            pts.append(torch.from_numpy(view['points']))
            lbl.append(labels[torch.from_numpy(view['orig_idx'])])
            scan.append(torch.full((len(view['points']), ), b))
        points, labels = torch.cat(pts).to(device), torch.cat(lbl).to(device)
        scan = torch.cat(scan).to(device)
        vox = pre.voxelize_scans(points, scan, len(chosen))
        enc = student.features(vox, vox['point_vox'], len(chosen))
        logits = head(enc.feats)[enc.point_cell]
        loss = F.cross_entropy(
            logits, labels[vox['point_rows']], ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return head
