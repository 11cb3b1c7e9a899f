"""The composed softmap KL (the tests' oracle) against float64 loops."""
import pytest
import torch

from dos_mm.functional import segment_sum, uniform_sinkhorn
from dos_mm.functional.softmap_reference import (softmap_kl,
                                                 student_log_softmaps,
                                                 target_softmaps)


def _oracle_softmaps(log_q, seg, num_segments):
    """float64 loops: normalise each column over the rows of each scene."""
    q = log_q.double().exp()
    out = torch.zeros_like(q)
    for s in range(num_segments):
        rows = [i for i in range(q.shape[0]) if seg[i] == s]
        for k in range(q.shape[1]):
            total = sum(q[i, k].item() for i in rows)
            for i in rows:
                out[i, k] = q[i, k] / total
    return out


def _oracle_kl(target, student_log, seg, num_segments):
    """float64 loops: mean over scenes of (1/K) sum_k KL over cells."""
    losses = []
    for s in range(num_segments):
        rows = [i for i in range(target.shape[0]) if seg[i] == s]
        if not rows:
            continue
        total = 0.0
        for k in range(target.shape[1]):
            for i in rows:
                t = target[i, k].double()
                if t > 0:
                    total = total + t * (t.log() - student_log[i, k].double())
        losses.append(total / target.shape[1])
    return sum(losses) / len(losses)


def test_target_softmaps_golden():
    log_q = torch.tensor([[1., 2.], [3., 2.], [5., 7.]]).log()
    seg = torch.tensor([0, 0, 1])
    torch.testing.assert_close(
        target_softmaps(log_q, seg, 2),
        torch.tensor([[0.25, 0.5], [0.75, 0.5], [1.0, 1.0]]))


def test_softmap_kl_golden():
    target = torch.tensor([[0.5, 1.0], [0.5, 0.0], [1.0, 1.0]])
    student = torch.tensor([[0.25, 0.5], [0.75, 0.5], [1.0, 1.0]])
    seg = torch.tensor([0, 0, 1])
    loss = softmap_kl(target, student.log(), seg, 2)
    # scene 0: (0.5 ln(4/3) + ln 2) / 2 = 0.418494...; scene 1: 0.
    assert loss.item() == pytest.approx(0.20924705419645893, rel=1e-6)
    assert loss.dtype == torch.float32 and loss.dim() == 0


def test_softmaps_match_float64_oracle(case):
    teacher, student, seg, num_segments = case(seed=1)
    log_q = uniform_sinkhorn(teacher)
    target = target_softmaps(log_q, seg, num_segments)
    expected = _oracle_softmaps(log_q, seg, num_segments)
    torch.testing.assert_close(target.double(), expected, rtol=1e-5, atol=1e-7)
    student_log = student_log_softmaps(student, seg, num_segments)
    torch.testing.assert_close(
        student_log.double().exp(),
        _oracle_softmaps(student, seg, num_segments),
        rtol=1e-5,
        atol=1e-7)
    loss = softmap_kl(target, student_log, seg, num_segments)
    oracle = _oracle_kl(target, student_log, seg, num_segments)
    assert loss.item() == pytest.approx(oracle.item(), rel=1e-5)


def test_softmap_columns_sum_to_one(case):
    teacher, _, seg, num_segments = case(seed=3)
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    assert target.dtype == torch.float32
    sums = segment_sum(target, seg, num_segments)  # (S, K)
    torch.testing.assert_close(sums, torch.ones_like(sums))


def test_kl_zero_when_student_equals_target_and_nonnegative(case):
    teacher, student, seg, num_segments = case(seed=4)
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    same = student_log_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    assert abs(softmap_kl(target, same, seg, num_segments).item()) < 1e-6
    student_log = student_log_softmaps(student, seg, num_segments)
    assert softmap_kl(target, student_log, seg, num_segments).item() > 0


def _loss(teacher, student, seg, num_segments):
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    student_log = student_log_softmaps(student, seg, num_segments)
    return softmap_kl(target, student_log, seg, num_segments)


def test_scene_weight_does_not_depend_on_cell_count(case):
    teacher, student, seg, num_segments = case(seed=5)
    log_q = uniform_sinkhorn(teacher)
    target = target_softmaps(log_q, seg, num_segments)
    student_log = student_log_softmaps(student, seg, num_segments)
    loss = softmap_kl(target, student_log, seg, num_segments)
    # The loss is the plain mean of the losses of each scene on its own.
    alone = []
    for s in range(num_segments):
        rows = seg == s
        one = torch.zeros(int(rows.sum()), dtype=torch.long)
        alone.append(
            softmap_kl(
                target_softmaps(log_q[rows], one, 1),
                student_log_softmaps(student[rows], one, 1), one, 1))
    torch.testing.assert_close(loss, torch.stack(alone).mean())
    # Duplicating every cell of scene 0 (teacher plan and student logits
    # alike) halves each softmap value there but leaves the loss unchanged.
    dup = seg == 0
    big_log_q = torch.cat([log_q, log_q[dup]])
    big_student = torch.cat([student, student[dup]])
    big_seg = torch.cat([seg, seg[dup]])
    big = softmap_kl(
        target_softmaps(big_log_q, big_seg, num_segments),
        student_log_softmaps(big_student, big_seg, num_segments), big_seg,
        num_segments)
    torch.testing.assert_close(big, loss)


def test_empty_and_masked_scenes_are_skipped(case):
    teacher, student, seg, _ = case(seed=6, num_segments=3)
    loss = _loss(teacher, student, seg, 3)
    # Scene 3 has no rows: it does not count.
    torch.testing.assert_close(_loss(teacher, student, seg, 4), loss)
    target = target_softmaps(uniform_sinkhorn(teacher), seg, 3)
    student_log = student_log_softmaps(student, seg, 3)
    valid = torch.tensor([True, False, True])
    masked = softmap_kl(target, student_log, seg, 3, valid_segments=valid)
    keep = seg != 1
    remapped = torch.tensor([0, 0, 1])[seg[keep]]
    # Same as dropping the rows of scene 1 (same Sinkhorn plan).
    expected = softmap_kl(target[keep], student_log[keep], remapped, 2)
    torch.testing.assert_close(masked, expected)


def test_gradient_is_finite_and_matches_oracle(case):
    teacher, student, seg, num_segments = case(seed=7, num_rows=16)
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    student = student.half().requires_grad_(True)
    loss = softmap_kl(target, student_log_softmaps(student, seg, num_segments),
                      seg, num_segments)
    loss.backward()
    assert loss.dtype == torch.float32
    assert torch.isfinite(student.grad).all() and student.grad.abs().sum() > 0
    ref = student.detach().double().requires_grad_(True)
    ref_log = torch.empty_like(ref)
    for s in range(num_segments):
        rows = seg == s
        ref_log[rows] = torch.log_softmax(ref[rows], dim=0)
    _oracle_kl(target, ref_log, seg, num_segments).backward()
    torch.testing.assert_close(
        student.grad.double(), ref.grad, rtol=1e-2, atol=1e-4)


def test_invalid_inputs(case):
    teacher, student, seg, num_segments = case(seed=8)
    log_q = uniform_sinkhorn(teacher)
    with pytest.raises(ValueError, match='does not match'):
        softmap_kl(log_q.exp(), log_q[:-1], seg[:-1], num_segments)
    with pytest.raises(ValueError, match='no scene has rows'):
        softmap_kl(log_q.exp(), log_q, seg, num_segments,
                   torch.zeros(num_segments, dtype=torch.bool))
    with pytest.raises(ValueError, match='no scene has rows'):
        softmap_kl(
            torch.zeros(0, 3), torch.zeros(0, 3),
            torch.zeros(0, dtype=torch.long), 2)
    with pytest.raises(ValueError, match=r'valid_segments must have shape'):
        softmap_kl(log_q.exp(), log_q, seg, num_segments,
                   torch.ones(num_segments + 1, dtype=torch.bool))
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        student_log_softmaps(student, seg, 2)
