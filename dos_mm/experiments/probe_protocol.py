"""Linear-probe protocol on SemanticKITTI-layout scans (demo, benchmark)."""
import os.path as osp
import pickle
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmdet3d.evaluation.functional import seg_eval
from torch import Tensor

from dos_mm.evaluation.linear_probe import (ProbeConfig, class_balanced_sample,
                                            fit_linear_probe, predict)
from dos_mm.evaluation.point_features import encode_scan


def load_infos(root: str, split: str) -> List[dict]:
    """The ``data_list`` of ``semantickitti_infos_{split}.pkl``."""
    return load_info_file(osp.join(root, f'semantickitti_infos_{split}.pkl'))


def load_info_file(path: str) -> List[dict]:
    """The ``data_list`` of an mmdet3d v2 info file."""
    try:
        with open(path, 'rb') as f:
            return pickle.load(f)['data_list']
    except (OSError, pickle.UnpicklingError, KeyError) as exc:
        raise ValueError(f'cannot read the info file {path}: {exc!r}. Fix: '
                         'regenerate the dataset.') from exc


def load_scan(root: str, info: dict,
              raw_to_class: Dict[int, int]) -> Tuple[Tensor, Tensor]:
    """(N, 4) points and (N,) class indices (-1 = ignored) of one scan."""
    pts_path = osp.join(root, info['lidar_points']['lidar_path'])
    lbl_path = osp.join(root, info['pts_semantic_mask_path'])
    raw = np.fromfile(pts_path, dtype=np.float32)
    if raw.size % 4:
        raise ValueError(f'{pts_path}: {raw.size * 4} bytes is not a '
                         'multiple of 16 (4 float32 per point); the file is '
                         'truncated or not a SemanticKITTI scan')
    points = raw.reshape(-1, 4)
    labels = np.fromfile(lbl_path, dtype=np.uint32) & 0xFFFF
    if len(labels) != len(points):
        raise ValueError(f'{lbl_path}: {len(labels)} labels for '
                         f'{len(points)} points in {pts_path}')
    lut = np.full(int(labels.max(initial=0)) + 1, -1, np.int64)
    for raw_id, cls in raw_to_class.items():
        if raw_id < len(lut):
            lut[raw_id] = cls
    return torch.from_numpy(points), torch.from_numpy(lut[labels])


def scan_features(model,
                  points: Tensor,
                  labels: Tensor,
                  net: str,
                  coarse_only: bool = True) -> Tuple[Tensor, Tensor, Tensor]:
    """Per-point frozen features of the voxelised points of a scan. The
    probes read those of the loss level and the coarser levels, up-cast to
    the loss cells (``coarse_only``: the finest levels are left out, so a
    probe cannot read nearly raw inputs); trained heads read every level.

    Returns:
        tuple: (P, C) features, (P,) labels and (P,) rows in the scan.
    """
    enc = encode_scan(model, points, net, coarse_only=coarse_only)
    rows = enc['rows']
    return (enc['feats'][enc['point_cell']], labels.to(rows.device)[rows],
            rows)


def linear_probe_miou(
    model,
    train_scans: Sequence[Tuple[Tensor, Tensor]],
    test_scans: Sequence[Tuple[Tensor, Tensor]],
    class_names: Sequence[str],
    net: str = 'teacher',
    points_per_scan: int = 10000,
    cfg: Optional[ProbeConfig] = None,
) -> Dict:
    """Fit a linear probe on frozen features of labelled scans and report
    mmdet3d's segmentation metrics on held-out scans.

    Only points inside the voxel range are evaluated (the same points for
    every model); ignored labels (-1) are skipped.

    Returns:
        dict: ``miou`` and ``acc`` in percent, ``per_class`` IoU in percent
        (None for classes absent from both ground truth and predictions),
        ``predictions`` (list of (P,) arrays) and ``rows`` per test scan.
    """
    cfg = cfg or ProbeConfig()
    gen = torch.Generator().manual_seed(cfg.seed)
    num_classes = len(class_names)
    feats, labels = [], []
    for points, lbl in train_scans:
        f, y, _ = scan_features(model, points, lbl, net)
        keep = class_balanced_sample(y, num_classes, points_per_scan, gen)
        feats.append(f[keep])
        labels.append(y[keep])
    probe = fit_linear_probe(
        torch.cat(feats), torch.cat(labels), num_classes, cfg)
    res = segmentation_miou(model, test_scans, class_names,
                            lambda f: predict(probe, f)[0], net)
    res['probe_channels'] = int(feats[0].shape[1])
    return res


def segmentation_miou(model,
                      test_scans: Sequence[Tuple[Tensor, Tensor]],
                      class_names: Sequence[str],
                      classify: Callable[[Tensor], Tensor],
                      net: str,
                      coarse_only: bool = True) -> Dict:
    """mmdet3d's ``seg_eval`` of ``classify`` ((P, C) features -> (P,)
    classes) on the features of ``net`` for held-out scans (see
    :func:`scan_features` for ``coarse_only``); the returned dict is that
    of :func:`linear_probe_miou`."""
    ignore = len(class_names)
    preds, gts, rows = [], [], []
    with torch.no_grad():
        for points, lbl in test_scans:
            f, y, r = scan_features(model, points, lbl, net, coarse_only)
            preds.append(classify(f).cpu().numpy())
            gts.append(torch.where(y >= 0, y, ignore).cpu().numpy())
            rows.append(r.cpu().numpy())
    label2cat = {i: name for i, name in enumerate(class_names)}
    label2cat[ignore] = 'ignore'
    res = seg_eval(gts, preds, label2cat, ignore, logger='silent')
    per_class = {
        name: (None if np.isnan(res[name]) else 100 * float(res[name]))
        for name in class_names
    }
    return dict(
        miou=100 * float(res['miou']),
        acc=100 * float(res['acc']),
        per_class=per_class,
        predictions=preds,
        rows=rows)
