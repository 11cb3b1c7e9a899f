"""spconv's CPU convolutions with two threads (README, "Fixes to the stack").

Every test here runs with two torch threads on a grid of thousands of
active sites, where spconv 2.3.8's own CPU loop gives wrong results that
differ between reruns; with ``dos_mm``'s replacement they equal a dense
``conv3d`` oracle and themselves, bit for bit.
"""
import pytest
import torch
import torch.nn.functional as F

import dos_mm  # noqa: F401  (applies the patch)
from dos_mm.compat import spconv_cpu_conv
from dos_mm.compat.spconv_cpu_conv import (offset_pairs, patch_spconv_cpu_conv,
                                           unpatch_spconv_cpu_conv)

spconv = pytest.importorskip('spconv.pytorch')
ops = pytest.importorskip('spconv.pytorch.ops')

SHAPE = (21, 64, 64)  # (d0, d1, d2) of spconv's spatial_shape
CIN, COUT = 16, 24


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _sites(seed=0, count=6000):
    """(count, 4) int32 (scan 0, d0, d1, d2): a thick sheet, so that each
    site has several neighbours (as on scanned surfaces)."""
    gen = torch.Generator().manual_seed(seed)
    flat = torch.randperm(SHAPE[1] * SHAPE[2] * 5, generator=gen)[:count]
    d0 = 8 + flat // (SHAPE[1] * SHAPE[2])
    rest = flat % (SHAPE[1] * SHAPE[2])
    zeros = torch.zeros_like(d0)
    return torch.stack([zeros, d0, rest // SHAPE[2], rest % SHAPE[2]],
                       1).int().contiguous()


def _dense(indices, feats, shape):
    out = feats.new_zeros(1, feats.shape[1], *shape)
    i = indices.long()
    out[0, :, i[:, 1], i[:, 2], i[:, 3]] = feats.t()
    return out


def _at(dense, indices):
    i = indices.long()
    return dense[0, :, i[:, 1], i[:, 2], i[:, 3]].t()


def _conv(kind):
    torch.manual_seed(1)
    if kind == 'subm':
        return spconv.SubMConv3d(CIN, COUT, 3, padding=1, bias=False)
    return spconv.SparseConv3d(
        CIN, COUT, 3, stride=2, padding=1, bias=False, indice_key='down')


def _run(kind, feats, indices):
    """Sparse output, and the dense conv3d of the same input and weights."""
    conv = _conv(kind)
    out = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    dense_in = _dense(indices, feats.detach(), SHAPE).requires_grad_()
    weight = conv.weight.detach().permute(0, 4, 1, 2, 3).requires_grad_()
    ref = F.conv3d(
        dense_in, weight, stride=1 if kind == 'subm' else 2, padding=1)
    return conv, out, dense_in, weight, ref


@pytest.mark.parametrize('kind', ['subm', 'stride2'])
def test_forward_and_gradients_equal_dense_conv(kind, two_threads):
    indices = _sites()
    feats = torch.randn(
        len(indices), CIN, generator=torch.Generator().manual_seed(2))
    feats.requires_grad_()
    conv, out, dense_in, weight, ref = _run(kind, feats, indices)
    assert len(out.indices) > 2000
    torch.testing.assert_close(
        out.features, _at(ref, out.indices), rtol=1e-4, atol=1e-5)
    grad = torch.randn(
        out.features.shape, generator=torch.Generator().manual_seed(3))
    (out.features * grad).sum().backward()
    (_at(ref, out.indices) * grad).sum().backward()
    torch.testing.assert_close(
        feats.grad, _at(dense_in.grad, indices), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(
        conv.weight.grad.permute(0, 4, 1, 2, 3),
        weight.grad,
        rtol=1e-4,
        atol=1e-3)


def test_inverse_conv_equals_dense_transposed_conv(two_threads):
    """``SparseInverseConv3d`` is the adjoint of the strided convolution
    whose pairs it reuses: a dense ``conv_transpose3d`` at the input sites
    of that convolution, with the gradients of one."""
    indices = _sites()
    feats = torch.randn(len(indices), CIN)
    down = _conv('stride2')(
        spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    torch.manual_seed(4)
    inverse = spconv.SparseInverseConv3d(
        COUT, CIN, 3, bias=False, indice_key='down')
    coarse = down.features.detach().requires_grad_()
    up = inverse(down.replace_feature(coarse))
    assert torch.equal(up.indices, indices)
    dense_in = _dense(down.indices, coarse.detach(),
                      down.spatial_shape).requires_grad_()
    weight = inverse.weight.detach().permute(4, 0, 1, 2, 3).requires_grad_()
    # the transposed output is 2 * coarse - 1 long per axis; the last fine
    # row of an even axis still has a coarse parent: output_padding
    extra = [s - (2 * c - 1) for s, c in zip(SHAPE, down.spatial_shape)]
    ref = F.conv_transpose3d(
        dense_in, weight, stride=2, padding=1, output_padding=extra)
    torch.testing.assert_close(
        up.features, _at(ref, indices), rtol=1e-4, atol=1e-5)
    grad = torch.randn(up.features.shape)
    (up.features * grad).sum().backward()
    (_at(ref, indices) * grad).sum().backward()
    torch.testing.assert_close(
        coarse.grad, _at(dense_in.grad, down.indices), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(
        inverse.weight.grad.permute(4, 0, 1, 2, 3),
        weight.grad,
        rtol=1e-4,
        atol=1e-3)


@pytest.mark.parametrize('kind', ['subm', 'stride2'])
def test_reruns_are_bitwise_identical(kind, two_threads):
    indices = _sites(seed=5)
    feats = torch.randn(len(indices), CIN).requires_grad_()
    conv = _conv(kind)
    runs = []
    for _ in range(4):
        conv.zero_grad()
        feats.grad = None
        out = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
        out.features.square().sum().backward()
        runs.append((out.features.detach(), feats.grad.clone(),
                     conv.weight.grad.clone()))
    for run in runs[1:]:
        for a, b in zip(run, runs[0]):
            assert torch.equal(a, b)


def test_equals_spconv_single_threaded_bitwise(two_threads):
    """With one thread spconv's own loop is exact; the replacement with
    two threads gives the same bits (same GEMMs, sums in the same order)."""
    indices = _sites(seed=6)
    feats = torch.randn(len(indices), CIN)
    conv = _conv('stride2')
    ours = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    unpatch_spconv_cpu_conv()
    try:
        torch.set_num_threads(1)
        theirs = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    finally:
        assert patch_spconv_cpu_conv() is True
    assert torch.equal(ours.features, theirs.features)


@pytest.mark.parametrize('kind', ['subm', 'stride2'])
def test_cpu_autocast_keeps_the_features_dtype(kind, two_threads):
    """As spconv's own CPU loop, the convolution computes in the features'
    dtype under CPU autocast (bf16 would also break its in-place sums)."""
    indices = _sites(seed=8, count=3000)
    feats = torch.randn(len(indices), CIN).requires_grad_()
    conv = _conv(kind)
    plain = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        cast = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 1))
    assert cast.features.dtype == torch.float32
    assert torch.equal(cast.features, plain.features)
    cast.features.sum().backward()
    assert feats.grad.dtype == torch.float32


def test_submanifold_pairs_use_the_mirrored_counts():
    """spconv stores the pair counts of a submanifold convolution for the
    first half of the offsets only; the second half mirrors them."""
    indices = _sites(seed=7, count=500)
    _, pairs, counts = ops.get_indice_pairs(indices, 1, list(SHAPE),
                                            ops.ConvAlgo.Native, [3, 3, 3],
                                            [1, 1, 1], [1, 1, 1], [1, 1, 1],
                                            [0, 0, 0], True, False)[:3]
    assert counts[14:].sum() == 0 and counts[:13].sum() > 0
    seen = {
        k: len(rows)
        for k, rows, _ in offset_pairs(pairs, counts, False, True)
    }
    assert 13 not in seen  # the centre is the identity
    for k, n in seen.items():
        assert n == int(counts[k if k < 13 else 26 - k])


def test_cuda_tensors_bias_and_activation_go_to_spconv(monkeypatch):
    """The wrapper hands spconv everything but plain CPU convolutions."""
    from cumm import tensorview as tv
    calls = []

    def fake(*args, **kwargs):
        calls.append(kwargs)
        return 'spconv'

    unpatch_spconv_cpu_conv()
    try:
        monkeypatch.setattr(ops, 'indice_conv', fake)
        monkeypatch.setattr(ops, 'indice_conv_backward', fake)
        assert patch_spconv_cpu_conv() is True
        indices = _sites(count=50)
        _, pairs, counts = ops.get_indice_pairs(indices, 1, list(SHAPE),
                                                ops.ConvAlgo.Native, [3, 3, 3],
                                                [1, 1, 1], [1, 1, 1],
                                                [1, 1, 1], [0, 0, 0], True,
                                                False)[:3]
        feats, filters = torch.randn(50, 2), torch.randn(3, 3, 3, 3, 2)
        args = (feats, filters, pairs, counts, 50, False, True)
        assert ops.indice_conv(*args, bias=torch.zeros(3)) == 'spconv'
        assert ops.indice_conv(
            *args, act_type=tv.gemm.Activation.ReLU) == 'spconv'
        assert calls[-1]['act_type'] == tv.gemm.Activation.ReLU
        assert len(calls) == 2
        out = ops.indice_conv(*args, act_type=tv.gemm.Activation.None_)
        assert out.shape == (50, 3) and len(calls) == 2
    finally:
        unpatch_spconv_cpu_conv()  # back to the fake, then undone by
        monkeypatch.undo()  # monkeypatch: spconv's own functions
        assert patch_spconv_cpu_conv() is True

    class OnCuda:
        is_cuda = True

    assert not spconv_cpu_conv._uses_cpu_path(OnCuda(), filters, None, None)
    assert not spconv_cpu_conv._uses_cpu_path(feats, OnCuda(), None, None)


def test_version_check_and_idempotence():
    assert spconv_cpu_conv._affected('2.3.8')
    assert spconv_cpu_conv._affected('2.3.6')
    assert not spconv_cpu_conv._affected('2.4.0')
    first = ops.indice_conv
    assert patch_spconv_cpu_conv() is True
    assert ops.indice_conv is first  # applied once
    assert dos_mm.apply_compat_patches()['spconv_cpu_conv'] is True
