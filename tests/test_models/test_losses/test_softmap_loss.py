"""SoftmapLoss: softmaps (paper) and per-point clustering (ablation)."""
import pytest
import torch

from dos_mm.functional import (point_cluster_ce, softmap_kl,
                               student_log_softmaps, target_softmaps)
from dos_mm.models.heads import CosineLogits
from dos_mm.models.losses import SoftmapLoss


def inputs():
    torch.manual_seed(0)
    return torch.randn(12, 6).log_softmax(0), torch.randn(12, 6), \
        torch.tensor([0] * 5 + [1] * 7)


def test_softmap_mode_is_the_per_scene_kl():
    log_q, student, scan = inputs()
    expected = softmap_kl(
        target_softmaps(log_q, scan, 2),
        student_log_softmaps(student, scan, 2), scan, 2)
    assert torch.allclose(SoftmapLoss()(log_q, student, scan, 2), expected)


def test_point_mode_is_the_clustering_ablation():
    log_q, student, scan = inputs()
    loss = SoftmapLoss(mode='point')(log_q, student, scan, 2)
    assert torch.allclose(loss, point_cluster_ce(log_q, student, scan, 2))
    assert not torch.allclose(loss, SoftmapLoss()(log_q, student, scan, 2))


def test_batch_norm_differs_from_scene_norm():
    log_q, student, scan = inputs()
    a = SoftmapLoss(softmap_norm='scene')(log_q, student, scan, 2)
    b = SoftmapLoss(softmap_norm='batch')(log_q, student, scan, 2)
    assert not torch.allclose(a, b)


def test_unknown_options_raise():
    with pytest.raises(ValueError, match='mode'):
        SoftmapLoss(mode='pixel')
    with pytest.raises(ValueError, match='softmap_norm'):
        SoftmapLoss(softmap_norm='rows')


@pytest.mark.parametrize('mode', ['softmap', 'point'])
def test_no_rows_gives_a_finite_zero_with_a_graph(mode):
    student = torch.zeros(0, 6, requires_grad=True)
    loss = SoftmapLoss(mode=mode)(torch.zeros(0, 6), student,
                                  torch.zeros(0, dtype=torch.long), 2)
    assert float(loss) == 0.0
    loss.backward()
    assert student.grad is not None


@pytest.mark.parametrize('mode, norm', [('softmap', 'scene'),
                                        ('softmap', 'batch'),
                                        ('point', 'scene')])
def test_weighted_terms_is_the_weighted_sum_of_forward(mode, norm):
    """Fused (scene softmaps) or not, ``weighted_terms`` gives the weighted
    sum of the loss on each term's materialised logits; a term without rows
    adds nothing."""
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
    loss = SoftmapLoss(mode=mode, softmap_norm=norm)
    student = CosineLogits(emb.requires_grad_(), protos, 0.1)
    value = loss.weighted_terms(student, log_q, terms, 2)
    logits = emb @ protos.t() / 0.1
    expected = sum(w * loss(log_q[q], logits[r], s, 2)
                   for r, q, s, w in terms[:2])
    torch.testing.assert_close(value, expected)
    value.backward()
    assert emb.grad.abs().sum() > 0
