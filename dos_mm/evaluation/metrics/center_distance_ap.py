"""Detection AP of 3D LiDAR boxes by centre-distance matching, computed
with the nuScenes devkit's own matching and AP functions.

mmdet3d's ``NuScenesMetric`` needs the nuScenes database (sample tokens,
ego poses, class ranges) and its KITTI metric needs camera calibration, so
neither applies to other LiDAR data. The nuScenes detection AP itself needs
only boxes: this adapter turns mmdet3d boxes into the devkit's
``DetectionBox`` and calls ``nuscenes.eval.detection.algo.accumulate`` and
``calc_ap`` (greedy matching by BEV centre distance at 0.5, 1, 2 and 4 m,
AP over recall and precision above 10 %), then averages as nuScenes' mAP.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmdet3d.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

THRESHOLDS = (0.5, 1.0, 2.0, 4.0)  # nuScenes' matching distances (m)

GroundTruth = Tuple[np.ndarray, np.ndarray]  # (N, 7) boxes, (N,) labels
Prediction = Tuple[np.ndarray, np.ndarray, np.ndarray]  # + (N,) scores


def _eval_boxes(samples: Sequence[tuple], class_names: Sequence[str],
                scored: bool, max_range: Optional[float]):
    """``EvalBoxes`` of the devkit from per-sample (boxes, labels[,
    scores]); boxes are (x, y, z bottom, l, w, h, yaw)."""
    from nuscenes.eval.common.data_classes import EvalBoxes
    from nuscenes.eval.detection.data_classes import DetectionBox
    out = EvalBoxes()
    for token, sample in enumerate(samples):
        boxes, labels = sample[0], sample[1]
        scores = sample[2] if scored else np.full(len(boxes), -1.0)
        rows = []
        for box, label, score in zip(boxes, labels, scores):
            x, y, z, length, width, height, yaw = (float(v) for v in box[:7])
            if max_range is not None and np.hypot(x, y) > max_range:
                continue
            translation = (x, y, z + height / 2)
            rows.append(
                DetectionBox(
                    sample_token=str(token),
                    translation=translation,
                    size=(width, length, height),
                    rotation=(np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)),
                    ego_translation=translation,
                    detection_name=class_names[int(label)],
                    detection_score=float(score)))
        out.add_boxes(str(token), rows)
    return out


def center_distance_ap(ground_truth: Sequence[GroundTruth],
                       predictions: Sequence[Prediction],
                       class_names: Sequence[str],
                       thresholds: Sequence[float] = THRESHOLDS,
                       max_range: Optional[float] = None) -> Dict:
    """nuScenes-style AP per class and mAP, in percent.

    Args:
        ground_truth: per sample, (N, 7) boxes (bottom centre, l, w, h,
            yaw) and (N,) class indices.
        predictions: per sample (same order), (M, 7) boxes, (M,) class
            indices and (M,) scores.
        class_names: nuScenes detection names of the class indices.
        thresholds: matching distances in metres.
        max_range: boxes farther than this from the sensor (BEV) are left
            out of both sides, as nuScenes' class ranges do.

    Returns:
        dict: ``map``, ``ap`` (class -> AP averaged over the thresholds;
        None for a class without ground truth), ``ap_by_distance`` (class
        -> threshold -> AP) and ``num_gt`` (class -> boxes).
    """
    from nuscenes.eval.common.utils import center_distance
    from nuscenes.eval.detection.algo import accumulate, calc_ap
    if len(ground_truth) != len(predictions):
        raise ValueError(f'{len(ground_truth)} ground-truth samples but '
                         f'{len(predictions)} predicted ones')
    gt = _eval_boxes(ground_truth, class_names, False, max_range)
    pred = _eval_boxes(predictions, class_names, True, max_range)
    ap, by_dist, num_gt = {}, {}, {}
    for name in class_names:
        num_gt[name] = sum(b.detection_name == name for b in gt.all)
        if num_gt[name] == 0:
            ap[name], by_dist[name] = None, {}
            continue
        by_dist[name] = {
            th:
            100 *
            calc_ap(accumulate(gt, pred, name, center_distance, th), 0.1, 0.1)
            for th in thresholds
        }
        ap[name] = float(np.mean(list(by_dist[name].values())))
    present = [v for v in ap.values() if v is not None]
    return dict(
        map=float(np.mean(present)) if present else 0.0,
        ap=ap,
        ap_by_distance=by_dist,
        num_gt=num_gt)


@METRICS.register_module()
class CenterDistanceAPMetric(BaseMetric):
    """:func:`center_distance_ap` as an mmengine metric, so mmdet3d's
    Runner reports it in ``tools/test.py`` / ``tools/dist_test.sh``.

    Reads ``pred_instances_3d`` and the dataset's ``eval_ann_info`` of each
    sample (``SyntheticDetDataset`` keeps its evaluation boxes there).

    Args:
        max_range (float, optional): see :func:`center_distance_ap`.
        collect_device (str): mmengine's.
        prefix (str, optional): mmengine's; default ``'det'``.
    """
    default_prefix = 'det'

    def __init__(self,
                 max_range: Optional[float] = 50.0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.max_range = max_range

    def process(self, data_batch: dict, data_samples: List[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances_3d']
            ann = sample['eval_ann_info']
            gt_boxes = ann['gt_bboxes_3d']
            self.results.append(
                dict(
                    gt=(_bottom_boxes(gt_boxes),
                        np.asarray(ann['gt_labels_3d'])),
                    pred=(_bottom_boxes(pred['bboxes_3d']),
                          pred['labels_3d'].cpu().numpy(),
                          pred['scores_3d'].cpu().numpy())))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        names = self.dataset_meta['classes']
        res = center_distance_ap([r['gt'] for r in results],
                                 [r['pred'] for r in results],
                                 names,
                                 max_range=self.max_range)
        table = ', '.join(f'{n} {v:.1f}' if v is not None else f'{n} -'
                          for n, v in res['ap'].items())
        print_log(
            f'centre-distance AP (%): mAP {res["map"]:.1f}; {table}',
            logger='current')
        out = {'mAP': res['map']}
        out.update({
            f'AP_{n}': v
            for n, v in res['ap'].items() if v is not None
        })
        return out


def _bottom_boxes(boxes) -> np.ndarray:
    """(N, 7) numpy (x, y, z bottom, l, w, h, yaw) of mmdet3d LiDAR boxes
    (``LiDARInstance3DBoxes`` or an (N, >= 7) array already bottom-based)."""
    if hasattr(boxes, 'tensor'):
        t = boxes.tensor[:, :7].detach().cpu().numpy()
        bottom = boxes.bottom_height.detach().cpu().numpy()
        t[:, 2] = bottom
        return t
    return np.asarray(boxes, np.float32).reshape(-1, 7)
