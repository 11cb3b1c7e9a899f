import math

import pytest
import torch

from dos_mm.functional import (point_cluster_ce, prototype_softmap_kl,
                               scene_softmap_kl, segment_sum, softmap_kl,
                               student_log_softmaps, target_softmaps,
                               uniform_sinkhorn)


def _case(seed=0, num_rows=40, num_cols=6, num_segments=4):
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(num_rows, num_cols, generator=gen) / 0.3
    student = torch.randn(num_rows, num_cols, generator=gen) / 0.5
    seg = torch.randint(0, num_segments, (num_rows, ), generator=gen)
    seg[:4] = torch.arange(4) % num_segments  # every scene has rows
    return teacher, student, seg, num_segments


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
    torch.testing.assert_close(
        target_softmaps(log_q, seg, 2, norm='batch'),
        torch.tensor([[1 / 9, 2 / 11], [3 / 9, 2 / 11], [5 / 9, 7 / 11]]))


def test_softmap_kl_golden():
    target = torch.tensor([[0.5, 1.0], [0.5, 0.0], [1.0, 1.0]])
    student = torch.tensor([[0.25, 0.5], [0.75, 0.5], [1.0, 1.0]])
    seg = torch.tensor([0, 0, 1])
    loss = softmap_kl(target, student.log(), seg, 2)
    # scene 0: (0.5 ln(4/3) + ln 2) / 2 = 0.418494...; scene 1: 0.
    assert loss.item() == pytest.approx(0.20924705419645893, rel=1e-6)
    assert loss.dtype == torch.float32 and loss.dim() == 0


def test_point_cluster_ce_golden():
    target_log_q = torch.tensor([[math.log(3.), 0.], [0., 0.],
                                 [0., math.log(3.)]])
    student = torch.tensor([[0., 0.], [math.log(3.), 0.], [0., 0.]])
    seg = torch.tensor([0, 1, 1])
    loss = point_cluster_ce(target_log_q, student, seg, 2)
    # scene 0: ln 2; scene 1: (0.5 ln(16/3) + ln 2) / 2.
    assert loss.item() == pytest.approx(0.729107439616418, rel=1e-6)


def test_softmaps_match_float64_oracle():
    teacher, student, seg, num_segments = _case(seed=1)
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


def test_point_cluster_ce_matches_oracle():
    teacher, student, seg, num_segments = _case(seed=2)
    loss = point_cluster_ce(teacher, student, seg, num_segments)
    per_scene = []
    for s in range(num_segments):
        rows = (seg == s).nonzero().flatten().tolist()
        ces = []
        for i in rows:
            t = torch.softmax(teacher[i].double(), 0)
            log_s = torch.log_softmax(student[i].double(), 0)
            ces.append(-(t * log_s).sum().item())
        per_scene.append(sum(ces) / len(ces))
    expected = sum(per_scene) / len(per_scene)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize('norm', ['scene', 'batch'])
def test_softmap_columns_sum_to_one(norm):
    teacher, _, seg, num_segments = _case(seed=3)
    target = target_softmaps(
        uniform_sinkhorn(teacher), seg, num_segments, norm)
    assert target.dtype == torch.float32
    if norm == 'scene':
        sums = segment_sum(target, seg, num_segments)  # (S, K)
    else:
        sums = target.sum(0, keepdim=True)  # (1, K)
    torch.testing.assert_close(sums, torch.ones_like(sums))


def test_kl_zero_when_student_equals_target_and_nonnegative():
    teacher, student, seg, num_segments = _case(seed=4)
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    same = student_log_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    assert abs(softmap_kl(target, same, seg, num_segments).item()) < 1e-6
    student_log = student_log_softmaps(student, seg, num_segments)
    assert softmap_kl(target, student_log, seg, num_segments).item() > 0


def _loss(teacher, student, seg, num_segments):
    target = target_softmaps(uniform_sinkhorn(teacher), seg, num_segments)
    student_log = student_log_softmaps(student, seg, num_segments)
    return softmap_kl(target, student_log, seg, num_segments)


def test_scene_weight_does_not_depend_on_cell_count():
    teacher, student, seg, num_segments = _case(seed=5)
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


def test_empty_and_masked_scenes_are_skipped():
    teacher, student, seg, _ = _case(seed=6, num_segments=3)
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


def test_gradient_is_finite_and_matches_oracle():
    teacher, student, seg, num_segments = _case(seed=7, num_rows=16)
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


@pytest.mark.parametrize('num_segments, empty', [(1, None), (3, None), (4, 2)])
def test_scene_softmap_kl_equals_the_composed_loss_and_gradient(
        num_segments, empty):
    """The fused training loss gives the value and gradient of
    softmap_kl(target_softmaps(.), student_log_softmaps(.)) (scene 2 has no
    rows in the last case)."""
    gen = torch.Generator().manual_seed(num_segments)
    rows, protos = 90, 12
    seg = torch.randint(0, num_segments, (rows, ), generator=gen)
    if empty is not None:
        seg[seg == empty] = 0
    log_q = torch.randn(rows, protos, generator=gen, dtype=torch.float64) * 5
    logits = (torch.rand(rows, protos, generator=gen, dtype=torch.float64) * 2
              - 1) / 0.1
    fused_in = logits.clone().float().requires_grad_()
    fused = scene_softmap_kl(log_q.float(), fused_in, seg, num_segments)
    fused.backward()
    ref_in = logits.clone().requires_grad_()
    ref = softmap_kl(
        target_softmaps(log_q, seg, num_segments),
        student_log_softmaps(ref_in, seg, num_segments).double(), seg,
        num_segments)
    ref.backward()
    assert fused.dtype == torch.float32
    torch.testing.assert_close(
        fused.double(), ref.double(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(
        fused_in.grad.double(), ref_in.grad, rtol=1e-4, atol=1e-7)


def test_scene_softmap_kl_keeps_one_matrix_for_backward():
    """Backward needs only (S - T) times the weights: one (N, K) tensor is
    saved, and an upstream gradient scales it."""
    gen = torch.Generator().manual_seed(3)
    log_q = torch.randn(40, 6, generator=gen)
    logits = torch.randn(40, 6, generator=gen).requires_grad_()
    seg = torch.randint(0, 2, (40, ), generator=gen)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(tuple(t.shape)) or t, lambda t: t):
        loss = scene_softmap_kl(log_q, logits, seg, 2)
    assert saved == [(40, 6)]
    (2.5 * loss).backward()
    ref_in = logits.detach().clone().requires_grad_()
    ref = softmap_kl(
        target_softmaps(log_q, seg, 2), student_log_softmaps(ref_in, seg, 2),
        seg, 2)
    (2.5 * ref).backward()
    torch.testing.assert_close(logits.grad, ref_in.grad, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize('num_segments', [1, 3])
def test_prototype_softmap_kl_equals_the_terms_on_materialised_logits(
        num_segments):
    """Same value and gradients (embeddings and prototypes) as the weighted
    scene_softmap_kl terms on rows of emb @ protos.T / tau (two terms
    sharing rows, as the same- and cross-view terms do), and only (N, D)
    and (K, D) tensors are kept for backward."""
    gen = torch.Generator().manual_seed(num_segments)
    rows, dim, protos_n, tau = 70, 8, 12, 0.1
    seg = torch.randint(0, num_segments, (rows, ), generator=gen)
    emb0 = torch.nn.functional.normalize(
        torch.randn(rows, dim, generator=gen), dim=1)
    protos0 = torch.nn.functional.normalize(
        torch.randn(protos_n, dim, generator=gen), dim=1)
    picks = [torch.arange(rows), torch.randperm(rows, generator=gen)[:30]]
    log_q = torch.randn(90, protos_n, generator=gen) * 3
    plan_rows = [torch.randperm(90, generator=gen)[:len(r)] for r in picks]
    weights = [0.5, 0.25]
    emb, protos = emb0.clone().requires_grad_(), protos0.clone(
    ).requires_grad_()
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(tuple(t.shape)) or t, lambda t: t):
        fused = prototype_softmap_kl(
            emb, protos, tau, log_q,
            [(r, q, seg[r], w)
             for r, q, w in zip(picks, plan_rows, weights)], num_segments)
    assert sorted(saved) == sorted([(rows, dim), (protos_n, dim)])
    (3.0 * fused).backward()
    ref_emb, ref_protos = emb0.clone().requires_grad_(), protos0.clone(
    ).requires_grad_()
    logits = ref_emb @ ref_protos.t() / tau
    ref = sum(w * scene_softmap_kl(log_q[q], logits[r], seg[r], num_segments)
              for r, q, w in zip(picks, plan_rows, weights))
    (3.0 * ref).backward()
    torch.testing.assert_close(fused, ref)
    torch.testing.assert_close(emb.grad, ref_emb.grad, rtol=1e-4, atol=1e-7)
    torch.testing.assert_close(
        protos.grad, ref_protos.grad, rtol=1e-4, atol=1e-7)
    with pytest.raises(ValueError, match='K = 12 prototype columns'):
        prototype_softmap_kl(emb, protos, tau, log_q[:, :5],
                             [(picks[0], plan_rows[0], seg, 1.0)],
                             num_segments)
    with pytest.raises(ValueError, match='must be as many'):
        prototype_softmap_kl(emb, protos, tau, log_q,
                             [(picks[0], plan_rows[1], seg, 1.0)],
                             num_segments)
    with pytest.raises(ValueError, match='temperature must be > 0'):
        prototype_softmap_kl(emb, protos, 0.0, log_q,
                             [(picks[0], plan_rows[0], seg, 1.0)],
                             num_segments)


def test_invalid_inputs():
    teacher, student, seg, num_segments = _case(seed=8)
    log_q = uniform_sinkhorn(teacher)
    with pytest.raises(ValueError, match="'scene' or 'batch', got 'cells'"):
        target_softmaps(log_q, seg, num_segments, norm='cells')
    with pytest.raises(ValueError, match='does not match'):
        softmap_kl(log_q.exp(), log_q[:-1], seg[:-1], num_segments)
    with pytest.raises(ValueError, match='does not match'):
        point_cluster_ce(log_q[:, :-1], student, seg, num_segments)
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


def test_scene_softmap_kl_without_gradient_keeps_nothing():
    """Logits that need no gradient (evaluation): the same value, and no
    (N, K) gradient is computed or kept."""
    log_q, logits = torch.randn(30, 5), torch.randn(30, 5)
    seg = torch.randint(0, 2, (30, ))
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t) or t, lambda t: t):
        value = scene_softmap_kl(log_q, logits, seg, 2)
    assert not saved
    torch.testing.assert_close(
        value,
        softmap_kl(
            target_softmaps(log_q, seg, 2),
            student_log_softmaps(logits, seg, 2), seg, 2))


def test_prototype_softmap_kl_stays_float32_under_autocast():
    """Under autocast (``--amp``) the logits, softmaps and gradients are
    still float32: the value and gradients equal those without it."""
    gen = torch.Generator().manual_seed(5)
    emb0 = torch.nn.functional.normalize(torch.randn(40, 8, generator=gen))
    protos0 = torch.nn.functional.normalize(torch.randn(6, 8, generator=gen))
    log_q = torch.randn(40, 6, generator=gen)
    seg = torch.randint(0, 2, (40, ), generator=gen)
    terms = [(torch.arange(40), torch.arange(40), seg, 1.0)]
    results = []
    for autocast in (False, True):
        emb, protos = emb0.clone().requires_grad_(), protos0.clone(
        ).requires_grad_()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
            value = prototype_softmap_kl(emb, protos, 0.1, log_q, terms, 2)
        value.backward()
        assert value.dtype == torch.float32
        results.append((value, emb.grad, protos.grad))
    for plain, autocast in zip(*results):
        torch.testing.assert_close(autocast, plain, rtol=0, atol=0)
