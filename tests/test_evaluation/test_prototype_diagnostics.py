"""Prototype diagnostics: pure parts against hand values, the whole on a
DOS model."""
import math

import pytest
import torch

from dos_mm.evaluation.prototype_diagnostics import (
    head_tail_entropy, normalised_mutual_information, prototype_diagnostics,
    prototypes_per_class, softmap_entropy)


def test_prototypes_per_class_counts_those_above_the_share():
    labels = torch.tensor([0] * 10 + [1] * 4 + [-1] * 3)
    winners = torch.tensor([5] * 8 + [6, 7] + [2] * 4 + [9] * 3)
    got = prototypes_per_class(labels, winners, 3, share=0.15)
    assert got[:2].tolist() == [1.0, 1.0]  # 6 and 7 win 10 % each
    assert math.isnan(got[2])
    assert prototypes_per_class(labels, winners, 3, share=0.1)[0] == 3


def test_nmi_is_one_for_a_renaming_and_zero_for_independence():
    labels = torch.tensor([0, 0, 1, 1, -1])
    assert normalised_mutual_information(labels, torch.tensor(
        [7, 7, 3, 3, 0])) == pytest.approx(1.0)
    assert normalised_mutual_information(labels,
                                         torch.tensor([1, 2, 1, 2,
                                                       5])) == pytest.approx(
                                                           0.0, abs=1e-9)


def test_softmap_entropy_spans_zero_to_one():
    flat = torch.zeros(50, 2)
    peaked = flat.clone()
    peaked[3, 1] = 10.0
    ent = softmap_entropy(peaked, temperature=0.04)
    assert ent[0] == pytest.approx(1.0) and ent[1] < 1e-3
    with pytest.raises(ValueError, match='at least 2 cells'):
        softmap_entropy(torch.zeros(1, 2), 0.1)
    usage = torch.tensor([0.5, 0.1, 0.3, 0.1])
    head, tail = head_tail_entropy(
        torch.tensor([0.1, 0.9, 0.2, 0.8]), usage, 0.25, 0.5)
    assert (head, tail) == (pytest.approx(0.1), pytest.approx(0.85))


def test_diagnostics_of_a_dos_model():
    from ..test_models.test_algorithms.test_dos import build_model, scan
    model = build_model()
    scans = []
    for s in (0, 1):
        pts = torch.from_numpy(scan(s))
        scans.append((pts, (pts[:, 2] > 0.5).long()))  # ground / objects
    out = prototype_diagnostics(model, scans, 2, temperature=0.07)
    assert 0 <= out['nmi'] <= 1
    assert out['protos_per_class'] >= 1
    assert len(out['protos_per_class_by_class']) == 2
    assert 0 < out['softmap_entropy_tail'] <= 1
    assert 0 < out['softmap_entropy_head'] <= 1
