"""spconv modules of a CUDA wheel (implicit-GEMM algorithm) run on CPU
tensors with the native algorithm (dos_mm.compat.spconv_cpu_algo)."""
import pytest
import torch

import dos_mm  # noqa: F401
from dos_mm.compat.spconv_cpu_algo import patch_spconv_cpu_algo

spconv = pytest.importorskip('spconv.pytorch')
from spconv.core import ConvAlgo  # noqa: E402
from spconv.pytorch.conv import SparseConvolution  # noqa: E402


def _net():
    torch.manual_seed(0)
    return spconv.SparseSequential(
        spconv.SubMConv3d(4, 8, 3, padding=1, bias=False, indice_key='a'),
        spconv.SparseConv3d(8, 8, 3, stride=2, padding=1, bias=False),
        spconv.SubMConv3d(8, 8, 3, padding=1, bias=False))


def _input():
    gen = torch.Generator().manual_seed(1)
    idx = torch.unique(
        torch.cat([
            torch.zeros(800, 1, dtype=torch.int32),
            torch.randint(0, 16, (800, 3), dtype=torch.int32, generator=gen)
        ], 1),
        dim=0).contiguous()
    return spconv.SparseConvTensor(
        torch.randn(len(idx), 4, generator=gen), idx, [16, 16, 16], 1)


def _as_cuda_wheel_builds_it(net):
    """What a CUDA wheel's default gives every convolution."""
    for m in net.modules():
        if isinstance(m, SparseConvolution):
            m.algo = ConvAlgo.MaskImplicitGemm
    return net


@pytest.fixture
def patched(monkeypatch):
    original = SparseConvolution._conv_forward
    original = getattr(original, '_dos_mm_original', original)
    monkeypatch.setattr(SparseConvolution, '_conv_forward', original)
    assert patch_spconv_cpu_algo(force=True) is True
    yield
    monkeypatch.setattr(SparseConvolution, '_conv_forward', original)


def test_cuda_wheel_modules_run_on_cpu_and_equal_native(patched):
    x = _input()
    native = _net()(x).features
    implicit = _as_cuda_wheel_builds_it(_net())
    out = implicit(_input()).features
    assert torch.equal(out, native)
    # the module keeps its own algorithm for CUDA inputs
    assert all(m.algo == ConvAlgo.MaskImplicitGemm for m in implicit.modules()
               if isinstance(m, SparseConvolution))


def test_without_the_patch_the_cpu_input_fails(monkeypatch):
    original = SparseConvolution._conv_forward
    original = getattr(original, '_dos_mm_original', original)
    monkeypatch.setattr(SparseConvolution, '_conv_forward', original)
    with pytest.raises(Exception):
        _as_cuda_wheel_builds_it(_net())(_input())


def test_cpu_wheel_needs_no_patch():
    from spconv.cppconstants import CPU_ONLY_BUILD
    if not CPU_ONLY_BUILD:
        pytest.skip(reason='a CUDA spconv wheel is installed')
    before = SparseConvolution._conv_forward
    assert patch_spconv_cpu_algo() is False
    assert SparseConvolution._conv_forward is before
