"""Segmentation from the prototypes: the two mappings and their mIoU."""
import numpy as np
import pytest

from dos_mm.evaluation.prototype_segmentation import (UNMAPPED, many_to_one,
                                                      mapped_iou, one_to_one,
                                                      overlap,
                                                      prototype_segmentation)


def test_overlap_counts_points_and_leaves_ignored_labels_out():
    assign = np.array([0, 0, 1, 2, 2, 2])
    labels = np.array([1, 1, 0, 0, 255, -1])
    counts = overlap(assign, labels, 3, 2)
    assert counts.tolist() == [[0, 2], [1, 0], [1, 0]]


def test_many_to_one_takes_the_majority_one_to_one_a_matching():
    counts = np.array([[5, 1], [4, 0], [0, 3], [0, 0]])
    assert many_to_one(counts).tolist() == [0, 0, 1, UNMAPPED]
    # two prototypes want class 0: the matching gives it to the larger
    assert one_to_one(counts).tolist() == [0, UNMAPPED, 1, UNMAPPED]


def test_a_perfect_clustering_scores_100_either_way_and_a_split_does_not():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    same = labels.copy()  # prototype k is class k
    out = prototype_segmentation(same, labels, same, labels, 3, 3)
    assert out['many_to_one_miou'] == out['one_to_one_miou'] == 100.0
    assert out['prototypes_in_use'] == 3
    # every class split over two prototypes: many-to-one still reads it,
    # one-to-one loses the half of each class left unmatched
    split = labels * 2 + rng.integers(0, 2, 600)
    out = prototype_segmentation(split, labels, split, labels, 6, 3)
    assert out['many_to_one_miou'] == 100.0
    assert 40 < out['one_to_one_miou'] < 60
    assert out['prototypes_in_use'] == 6


def test_the_mapping_is_fitted_on_one_set_and_scored_on_the_other():
    fit_assign, fit_labels = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1])
    # on the scored scans prototype 0 covers class 1: a miss for both
    assign, labels = np.array([0, 0, 1, 1]), np.array([1, 1, 1, 1])
    res = mapped_iou(assign, labels,
                     many_to_one(overlap(fit_assign, fit_labels, 2, 2)), 2)
    assert res['iou'][1] == pytest.approx(50.0)
    assert res['iou'][0] == 0.0  # predicted, never true
    assert res['miou'] == pytest.approx(25.0)
