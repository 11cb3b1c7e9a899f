"""The fused softmap loss against the composed definition (the oracle)."""
import pytest
import torch

from dos_mm.functional import prototype_softmap_kl
from dos_mm.functional.softmap_reference import (softmap_kl,
                                                 student_log_softmaps,
                                                 target_softmaps)


def composed(log_q, logits, seg, num_segments):
    """The softmap KL from its definition (float64 in, float64 out)."""
    return softmap_kl(
        target_softmaps(log_q, seg, num_segments),
        student_log_softmaps(logits, seg, num_segments).double(), seg,
        num_segments).double()


def fused_on_logits(log_q, logits, seg, num_segments):
    """prototype_softmap_kl on given (N, K) logits: they are the embeddings
    and the prototypes are the identity (z = logits @ I / 1)."""
    eye = torch.eye(logits.shape[1], dtype=logits.dtype)
    rows = torch.arange(len(logits))
    return prototype_softmap_kl(logits, eye, 1.0, log_q,
                                [(rows, rows, seg, 1.0)], num_segments)


@pytest.mark.parametrize('num_segments, empty', [(1, None), (3, None), (4, 2)])
def test_fused_equals_the_composed_loss_and_gradient(num_segments, empty):
    """Value and gradient of softmap_kl(target_softmaps(.),
    student_log_softmaps(.)) (scene 2 has no rows in the last case)."""
    gen = torch.Generator().manual_seed(num_segments)
    rows, protos = 90, 12
    seg = torch.randint(0, num_segments, (rows, ), generator=gen)
    if empty is not None:
        seg[seg == empty] = 0
    log_q = torch.randn(rows, protos, generator=gen, dtype=torch.float64) * 5
    logits = (torch.rand(rows, protos, generator=gen, dtype=torch.float64) * 2
              - 1) / 0.1
    fused_in = logits.clone().float().requires_grad_()
    fused = fused_on_logits(log_q.float(), fused_in, seg, num_segments)
    (2.5 * fused).backward()
    ref_in = logits.clone().requires_grad_()
    ref = composed(log_q, ref_in, seg, num_segments)
    (2.5 * ref).backward()
    assert fused.dtype == torch.float32
    torch.testing.assert_close(
        fused.double(), ref.double(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(
        fused_in.grad.double(), ref_in.grad, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize('num_segments', [1, 3])
def test_prototype_softmap_kl_equals_the_terms_on_materialised_logits(
        num_segments):
    """Same value and gradients (embeddings and prototypes) as the weighted
    composed softmap KL terms on rows of emb @ protos.T / tau (two terms
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
    ref = sum(w * composed(log_q[q], logits[r], seg[r], num_segments)
              for r, q, w in zip(picks, plan_rows, weights))
    (3.0 * ref).backward()
    torch.testing.assert_close(fused.double(), ref, rtol=1e-5, atol=1e-6)
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


def test_without_gradient_keeps_nothing():
    """Inputs that need no gradient (evaluation): the same value, and no
    gradient is computed or kept."""
    gen = torch.Generator().manual_seed(4)
    log_q, logits = torch.randn(30, 5, generator=gen), torch.randn(30, 5)
    seg = torch.randint(0, 2, (30, ), generator=gen)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t) or t, lambda t: t):
        value = fused_on_logits(log_q, logits, seg, 2)
    assert not saved and not value.requires_grad
    torch.testing.assert_close(
        value.double(), composed(log_q.double(), logits.double(), seg, 2))


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
