"""spconv backward on CPU-only torch (README, "Fixes to the stack")."""
import ast
import importlib
import inspect

import pytest
import torch
import torch.nn.functional as F

import dos_mm  # noqa: F401  (applies the patch on CPU-only torch)
from dos_mm.compat import spconv_cpu
from dos_mm.compat.spconv_cpu import _BINDINGS, patch_spconv_cpu_stream

spconv = pytest.importorskip('spconv.pytorch')

SHAPE = (5, 6, 7)  # (d0, d1, d2) of spconv's spatial_shape
CONVS = {
    'subm': (spconv.SubMConv3d, dict(kernel_size=3, padding=1)),
    'stride2': (spconv.SparseConv3d, dict(kernel_size=3, stride=2, padding=1)),
}


def _original_get_current_stream():
    """Rebuild spconv's own ``get_current_stream`` from its source (the
    patch overwrote every binding of it)."""
    cppcore = importlib.import_module('spconv.pytorch.cppcore')
    tree = ast.parse(inspect.getsource(cppcore))
    node = next(
        n for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name == 'get_current_stream')
    namespace = dict(vars(cppcore))
    exec(
        compile(ast.Module([node], type_ignores=[]), cppcore.__file__, 'exec'),
        namespace)
    return namespace['get_current_stream']


def _unpatch(monkeypatch):
    """spconv's own stream lookup, and its own CPU convolution loop (the
    replacement in ``spconv_cpu_conv`` never asks for a stream)."""
    ops = importlib.import_module('spconv.pytorch.ops')
    for name in ('indice_conv', 'indice_conv_backward'):
        own = getattr(getattr(ops, name), '_dos_mm_original', None)
        if own is not None:
            monkeypatch.setattr(ops, name, own)
    original = _original_get_current_stream()
    for name in _BINDINGS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, 'get_current_stream'):
            monkeypatch.setattr(module, 'get_current_stream', original)


def _sparse_input(dtype=torch.float64, batch=2, channels=2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    occupied = torch.rand(batch, *SHAPE, generator=gen) < 0.2
    # nonzero() is column-major here: spconv reads raw memory, so the
    # indices must be made contiguous.
    indices = occupied.nonzero().int().contiguous()  # (N, 4) b, d0, d1, d2
    feats = torch.randn(len(indices), channels, generator=gen, dtype=dtype)
    return indices, feats


def _densify(indices, feats, batch=2):
    dense = feats.new_zeros(batch, feats.shape[1], *SHAPE)
    i = indices.long()
    dense[i[:, 0], :, i[:, 1], i[:, 2], i[:, 3]] = feats
    return dense


def _gather(dense, indices):
    i = indices.long()
    return dense[i[:, 0], :, i[:, 1], i[:, 2], i[:, 3]]


def _gather_index(indices):
    i = indices.long()
    return i[:, 0], 0, i[:, 1], i[:, 2], i[:, 3]


def _sparse_and_dense(kind, dtype=torch.float64):
    """Run one sparse conv and the equivalent dense conv3d; return both
    outputs at the sparse output sites plus the leaves for gradients."""
    cls, kwargs = CONVS[kind]
    torch.manual_seed(0)
    conv = cls(2, 3, bias=False, **kwargs).to(dtype)
    indices, feats = _sparse_input(dtype)
    feats.requires_grad_()
    out = conv(spconv.SparseConvTensor(feats, indices, list(SHAPE), 2))
    dense_in = _densify(indices, feats.detach()).requires_grad_()
    # spconv 2 weights are (out, k0, k1, k2, in); conv3d's (out, in, k...)
    weight = conv.weight.detach().permute(0, 4, 1, 2, 3).clone()
    weight.requires_grad_()
    ref = F.conv3d(
        dense_in,
        weight,
        stride=kwargs.get('stride', 1),
        padding=kwargs['padding'])
    return dict(
        conv=conv,
        feats=feats,
        indices=indices,
        out=out,
        ref=ref,
        dense_in=dense_in,
        weight=weight)


@pytest.mark.parametrize('kind', sorted(CONVS))
def test_forward_matches_dense_conv(kind):
    case = _sparse_and_dense(kind)
    out, ref = case['out'], case['ref']
    assert list(out.spatial_shape) == list(ref.shape[2:])
    torch.testing.assert_close(
        out.features, _gather(ref, out.indices), rtol=1e-4, atol=1e-5)
    # the sparse output sites are the dense output's support
    support = case['ref'].new_zeros(2, 1, *SHAPE)
    support[_gather_index(case['indices'])] = 1
    cls, kwargs = CONVS[kind]
    reach = F.conv3d(
        support,
        support.new_ones(1, 1, 3, 3, 3),
        stride=kwargs.get('stride', 1),
        padding=1)
    if kind == 'subm':
        reach = reach * support  # submanifold: only the input sites
    expected = {tuple(r) for r in (reach[:, 0] > 0).nonzero().tolist()}
    assert {tuple(r) for r in out.indices.tolist()} == expected


@pytest.mark.parametrize('kind', sorted(CONVS))
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_backward_matches_dense_conv(kind, dtype):
    case = _sparse_and_dense(kind, dtype)
    out = case['out']
    grad = torch.randn(
        out.features.shape,
        dtype=dtype,
        generator=torch.Generator().manual_seed(1))
    (out.features * grad).sum().backward()
    (_gather(case['ref'], out.indices) * grad).sum().backward()
    tol = dict(atol=1e-4, rtol=1e-4) if dtype == torch.float32 else {}
    assert case['feats'].grad.abs().sum() > 0
    torch.testing.assert_close(case['feats'].grad,
                               _gather(case['dense_in'].grad, case['indices']),
                               **tol)
    torch.testing.assert_close(case['conv'].weight.grad.permute(0, 4, 1, 2, 3),
                               case['weight'].grad, **tol)


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs CPU-only torch')
def test_backward_fails_without_patch(monkeypatch):
    _unpatch(monkeypatch)
    case = _sparse_and_dense('subm')
    loss = case['out'].features.sum()  # forward works unpatched
    with pytest.raises((AssertionError, RuntimeError)):
        loss.backward()


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs CPU-only torch')
def test_patch_restores_backward(monkeypatch):
    _unpatch(monkeypatch)
    assert patch_spconv_cpu_stream() is True
    for name in ('spconv.pytorch.cppcore', 'spconv.pytorch.ops'):
        module = importlib.import_module(name)
        assert module.get_current_stream is spconv_cpu._null_stream
    case = _sparse_and_dense('stride2')
    case['out'].features.sum().backward()
    assert case['feats'].grad is not None
    assert case['conv'].weight.grad.abs().sum() > 0


def test_no_patch_when_cuda_available(monkeypatch):
    _unpatch(monkeypatch)
    original = importlib.import_module(
        'spconv.pytorch.cppcore').get_current_stream
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert patch_spconv_cpu_stream() is False
    for name in ('spconv.pytorch.cppcore', 'spconv.pytorch.ops'):
        assert importlib.import_module(name).get_current_stream is original
    # ``force`` patches anyway
    assert patch_spconv_cpu_stream(force=True) is True
    assert importlib.import_module(
        'spconv.pytorch.ops').get_current_stream is spconv_cpu._null_stream
