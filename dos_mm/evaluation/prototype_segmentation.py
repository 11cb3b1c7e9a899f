"""Segmentation from the prototypes alone: each point's top prototype,
mapped to a class, scored as mIoU.

Two mappings, as unsupervised semantic segmentation reports them:

- many-to-one: each prototype takes the majority class of its points on
  the labelled scans (a cluster-purity style readout);
- one-to-one: prototypes and classes matched by the Hungarian algorithm
  on their overlap, as in IIC (Ji et al., ICCV 2019), PiCIE (Cho et al.,
  CVPR 2021) and STEGO (Hamilton et al., ICLR 2022); with more prototypes
  than classes, the unmatched prototypes predict no class (every point of
  theirs counts as a miss).

The mapping is fitted on one set of points (the labelled scans) and scored
on another (the held-out scans).
"""
from typing import Dict

import numpy as np

UNMAPPED = -1


def overlap(assign: np.ndarray, labels: np.ndarray, num_prototypes: int,
            num_classes: int) -> np.ndarray:
    """(K, C) int64 point counts of prototype k with class c.

    Args:
        assign: (N,) int top prototype of each point, in [0, K).
        labels: (N,) int class of each point; values outside [0, C) (the
            ignore index) are left out.
    """
    keep = (labels >= 0) & (labels < num_classes)
    flat = assign[keep].astype(np.int64) * num_classes + labels[keep]
    counts = np.bincount(flat, minlength=num_prototypes * num_classes)
    return counts.reshape(num_prototypes, num_classes)


def many_to_one(counts: np.ndarray) -> np.ndarray:
    """(K,) the majority class of each prototype (``UNMAPPED`` for those
    with no labelled point)."""
    mapping = counts.argmax(1)
    mapping[counts.sum(1) == 0] = UNMAPPED
    return mapping


def one_to_one(counts: np.ndarray) -> np.ndarray:
    """(K,) the class the Hungarian matching (maximum total overlap) gives
    each prototype; at most one prototype per class, ``UNMAPPED`` for the
    rest."""
    from scipy.optimize import linear_sum_assignment
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping = np.full(len(counts), UNMAPPED, dtype=np.int64)
    matched = counts[rows, cols] > 0
    mapping[rows[matched]] = cols[matched]
    return mapping


def mapped_iou(assign: np.ndarray, labels: np.ndarray, mapping: np.ndarray,
               num_classes: int) -> Dict[str, object]:
    """Per-class IoU (%) and mIoU over the classes present in ``labels`` or
    predicted, of the prediction ``mapping[assign]``; points of ignored
    labels are left out, points of unmapped prototypes are misses."""
    keep = (labels >= 0) & (labels < num_classes)
    pred, true = mapping[assign[keep]], labels[keep]
    iou = np.full(num_classes, np.nan)
    for c in range(num_classes):
        inter = np.sum((pred == c) & (true == c))
        union = np.sum((pred == c) | (true == c))
        if union:
            iou[c] = 100.0 * inter / union
    return dict(
        iou=iou,
        miou=float(np.nanmean(iou))
        if np.isfinite(iou).any() else float('nan'))


def score_mappings(counts: np.ndarray, assign: np.ndarray, labels: np.ndarray,
                   num_classes: int) -> Dict[str, float]:
    """mIoU of both mappings fitted on the (K, C) ``counts`` of
    :func:`overlap` and scored on ``(assign, labels)``, and the number of
    prototypes in use (top prototype of at least one scored point).

    A perfect clustering (one prototype per class) scores 100 both ways.
    A constant assignment (one prototype for every point) maps to the fit
    set's majority class c and scores, both ways, the floor
    ``100 * (share of c among the scored points) / (classes present)``.
    """
    return dict(
        many_to_one_miou=mapped_iou(assign, labels, many_to_one(counts),
                                    num_classes)['miou'],
        one_to_one_miou=mapped_iou(assign, labels, one_to_one(counts),
                                   num_classes)['miou'],
        prototypes_in_use=int(len(np.unique(assign))))


def prototype_segmentation(fit_assign: np.ndarray, fit_labels: np.ndarray,
                           assign: np.ndarray, labels: np.ndarray,
                           num_prototypes: int,
                           num_classes: int) -> Dict[str, float]:
    """:func:`score_mappings` with the mappings fitted on
    ``(fit_assign, fit_labels)`` and scored on ``(assign, labels)``."""
    counts = overlap(fit_assign, fit_labels, num_prototypes, num_classes)
    return score_mappings(counts, assign, labels, num_classes)
