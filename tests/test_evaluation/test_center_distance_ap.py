"""Centre-distance AP with the nuScenes devkit's functions."""
import numpy as np
import pytest
import torch
from mmdet3d.structures import LiDARInstance3DBoxes

from dos_mm.evaluation import CenterDistanceAPMetric, center_distance_ap

NAMES = ['car', 'pedestrian', 'barrier']


def _samples(seed=0, count=5):
    rng = np.random.default_rng(seed)
    gts, preds = [], []
    for _ in range(count):
        n = 8
        boxes = np.c_[rng.uniform(-40, 40, (n, 2)),
                      np.zeros(n),
                      rng.uniform(0.5, 5, (n, 3)),
                      rng.uniform(-3, 3, n)].astype(np.float32)
        labels = rng.integers(0, 2, n)  # no barrier in the ground truth
        gts.append((boxes, labels))
        preds.append((boxes.copy(), labels.copy(), rng.uniform(0.2, 1, n)))
    return gts, preds


def test_ground_truth_as_predictions_scores_100():
    gts, preds = _samples()
    res = center_distance_ap(gts, preds, NAMES)
    assert res['map'] == pytest.approx(100)
    assert res['ap']['car'] == pytest.approx(100)
    assert res['ap']['barrier'] is None  # no ground truth: left out
    assert res['num_gt']['car'] + res['num_gt']['pedestrian'] == 40


def test_perturbed_boxes_score_less():
    gts, preds = _samples()
    shift = np.array([1.5, 0, 0, 0, 0, 0, 0], np.float32)
    moved = [(b + shift, lbl, s) for b, lbl, s in preds]
    res = center_distance_ap(gts, moved, NAMES)
    # 1.5 m off: missed at 0.5 and 1 m, found at 2 and 4 m
    assert res['map'] == pytest.approx(50)
    assert res['ap_by_distance']['car'][0.5] == 0
    assert res['ap_by_distance']['car'][4.0] == pytest.approx(100)
    wrong = [(b, 1 - lbl, s) for b, lbl, s in preds]  # swapped classes
    assert center_distance_ap(gts, wrong, NAMES)['map'] < 20
    half = [(b[:4], lbl[:4], s[:4]) for b, lbl, s in preds]
    assert 0 < center_distance_ap(gts, half, NAMES)['map'] < 100


def test_max_range_leaves_out_far_boxes_on_both_sides():
    gts, preds = _samples()
    far = [(b + np.array([200, 0, 0, 0, 0, 0, 0], np.float32), lbl, s)
           for b, lbl, s in preds]  # every prediction out of range
    res = center_distance_ap(gts, far, NAMES, max_range=50.0)
    assert res['map'] == 0
    near = [(b, lbl) for b, lbl in gts]
    res = center_distance_ap(near, preds, NAMES, max_range=20.0)
    assert sum(res['num_gt'].values()) < 40
    assert res['map'] == pytest.approx(100)
    with pytest.raises(ValueError, match='ground-truth samples'):
        center_distance_ap(gts[:2], preds, NAMES)


def test_metric_reads_mmdet3d_boxes_bottom_centred():
    """Through the mmengine metric, with mmdet3d's LiDAR boxes (bottom
    centre z) as the Runner hands them over."""
    gts, preds = _samples(count=2)
    metric = CenterDistanceAPMetric(max_range=None)
    metric.dataset_meta = dict(classes=NAMES)
    samples = []
    for (boxes, labels), (_, _, scores) in zip(gts, preds):
        lidar = LiDARInstance3DBoxes(torch.from_numpy(boxes))
        samples.append(
            dict(
                pred_instances_3d=dict(
                    bboxes_3d=lidar,
                    labels_3d=torch.from_numpy(labels),
                    scores_3d=torch.from_numpy(scores)),
                eval_ann_info=dict(gt_bboxes_3d=lidar, gt_labels_3d=labels)))
    metric.process({}, samples)
    out = metric.compute_metrics(metric.results)
    assert out['mAP'] == pytest.approx(100)
    assert set(out) == {'mAP', 'AP_car', 'AP_pedestrian'}
