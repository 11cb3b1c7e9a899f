"""SoftmapLoss: softmaps (paper) and per-point clustering (ablation)."""
import pytest
import torch

from dos_mm.functional import point_cluster_ce
from dos_mm.functional.softmap_reference import (softmap_kl,
                                                 student_log_softmaps,
                                                 target_softmaps)
from dos_mm.models.heads import CosineLogits
from dos_mm.models.losses import SoftmapLoss


def inputs():
    """A student view of 12 cells in 2 scans against a 20-row plan, with
    three terms: every row, four rows, and none."""
    torch.manual_seed(1)
    emb = torch.nn.functional.normalize(torch.randn(12, 4), dim=1)
    protos = torch.nn.functional.normalize(torch.randn(6, 4), dim=1)
    scan = torch.tensor([0] * 5 + [1] * 7)
    picks = [
        torch.arange(12),
        torch.tensor([1, 4, 6, 11]),
        torch.zeros(0, dtype=torch.long)
    ]
    log_q = torch.randn(20, 6).log_softmax(0)
    terms = [(r, torch.randperm(20)[:len(r)], scan[r], w)
             for r, w in zip(picks, (0.5, 0.5, 0.0))]
    return emb.requires_grad_(), protos, log_q, terms


def composed(log_q, logits, scan):
    return softmap_kl(
        target_softmaps(log_q, scan, 2), student_log_softmaps(logits, scan, 2),
        scan, 2)


def point(log_q, logits, scan):
    return point_cluster_ce(log_q, logits, scan, 2)


@pytest.mark.parametrize('mode, reference', [('softmap', composed),
                                             ('point', point)])
def test_weighted_sum_of_the_terms_on_materialised_logits(mode, reference):
    """The weighted sum of the mode's loss on each term's logits (rows of
    emb @ protos.T / tau); a term without rows adds nothing."""
    emb, protos, log_q, terms = inputs()
    value = SoftmapLoss(mode=mode)(CosineLogits(emb, protos, 0.1), log_q,
                                   terms, 2)
    logits = emb @ protos.t() / 0.1
    expected = sum(w * reference(log_q[q], logits[r], s)
                   for r, q, s, w in terms[:2])
    torch.testing.assert_close(value, expected)
    value.backward()
    assert emb.grad.abs().sum() > 0


def test_the_modes_differ():
    emb, protos, log_q, terms = inputs()
    student = CosineLogits(emb, protos, 0.1)
    assert not torch.allclose(
        SoftmapLoss()(student, log_q, terms, 2),
        SoftmapLoss(mode='point')(student, log_q, terms, 2))


def test_unknown_mode_raises():
    with pytest.raises(ValueError, match="'softmap' or 'point', got 'pixel'"):
        SoftmapLoss(mode='pixel')


@pytest.mark.parametrize('mode', ['softmap', 'point'])
def test_no_rows_gives_a_finite_zero_with_a_graph(mode):
    emb, protos, log_q, terms = inputs()
    loss = SoftmapLoss(mode=mode)(CosineLogits(emb, protos, 0.1), log_q,
                                  terms[2:], 2)
    assert float(loss) == 0.0 and loss.dtype == torch.float32
    loss.backward()
    assert emb.grad is not None
