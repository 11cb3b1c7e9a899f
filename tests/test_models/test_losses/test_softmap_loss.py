"""SoftmapLoss: softmaps (paper) and per-point clustering (ablation)."""
import pytest
import torch

from dos_mm.functional import (point_cluster_ce, softmap_kl,
                               student_log_softmaps, target_softmaps)
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
