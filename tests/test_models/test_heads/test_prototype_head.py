"""PrototypeHead: cosine logits to unit-norm prototypes."""
import weakref

import pytest
import torch
import torch.nn.functional as F

from dos_mm.models.heads import PrototypeHead


def test_logits_are_cosines_to_normalised_prototypes():
    torch.manual_seed(0)
    head = PrototypeHead(
        in_channels=8, hidden_channels=16, out_channels=4, num_prototypes=5)
    head.init_weights()
    feats = torch.randn(10, 8)
    logits = head(feats)
    assert logits.shape == (10, 5)
    emb = F.normalize(head.projector(feats), dim=1)
    protos = F.normalize(head.prototypes.weight, dim=1)
    assert torch.allclose(logits, emb @ protos.t(), atol=1e-6)
    assert logits.abs().max() <= 1 + 1e-6


def test_logits_do_not_depend_on_prototype_norms():
    torch.manual_seed(0)
    head = PrototypeHead(8, 16, 4, 5)
    feats = torch.randn(3, 8)
    before = head(feats)
    with torch.no_grad():
        head.prototypes.weight.mul_(torch.rand(5, 1) * 10 + 0.1)
    assert torch.allclose(head(feats), before, atol=1e-6)


@pytest.mark.parametrize('autocast', [False, True])
def test_project_does_not_keep_the_gelu_output(autocast):
    """``project`` equals ``projector`` in value and gradients (also under
    autocast), but its graph does not hold the (M, hidden) GELU output,
    which backward rebuilds from the GELU's input."""
    torch.manual_seed(0)
    head = PrototypeHead(8, 24, 4, 5)
    feats = torch.randn(30, 8)
    gelu_out = []
    head.projector[1].register_forward_hook(
        lambda module, args, out: gelu_out.append(weakref.ref(out)))
    results = []
    for fn in (head.project, head.projector):
        head.zero_grad()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
            out = fn(feats)
        held = gelu_out[-1]() is not None
        out.float().pow(2).sum().backward()
        results.append(
            (out, held, [p.grad.clone() for p in head.projector.parameters()]))
    (out, held, grads), (ref_out, ref_held, ref_grads) = results
    assert ref_held and not held
    assert torch.equal(out, ref_out)
    assert all(torch.equal(g, r) for g, r in zip(grads, ref_grads))


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_logits_and_embeddings_are_float32_under_autocast(dtype):
    """``--amp``: the teacher's logits (Zipf-Sinkhorn's input) and the
    student's embeddings (the loss's) are those of float32, also when the
    features arrive in low precision from an autocast backbone."""
    torch.manual_seed(0)
    head = PrototypeHead(8, 24, 4, 5)
    feats = torch.randn(30, 8)
    plain = head(feats), *head.embed(feats)
    with torch.autocast('cpu', dtype=dtype):
        cast = head(feats), *head.embed(feats)
        from_low = head(feats.to(dtype))
    for a, b in zip(cast, plain):
        assert a.dtype == torch.float32
        assert torch.equal(a, b)
    assert from_low.dtype == torch.float32
    torch.testing.assert_close(
        from_low, head(feats.to(dtype).float()), rtol=0, atol=0)
