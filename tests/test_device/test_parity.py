"""Device against CPU: our kernels, spconv's sparse convolutions (the demo's
SparseEncoder) and the small PTv3 give the CPU's results on CUDA, in
float32 and under autocast (``make cuda-smoke`` runs this file on a GPU).

Each check runs on ``cuda`` (skipped without a CUDA device) and on ``cpu``
against itself, a dry run so that the GPU run does not meet its first bug
on the GPU.
"""
import pytest
import torch

from ..conftest import REPO

DEVICES = [
    'cpu',
    pytest.param(
        'cuda',
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(),
            reason=f'no CUDA device (torch {torch.__version__}, CUDA '
            f'{torch.version.cuda})'))
]


def _close(a: torch.Tensor, b: torch.Tensor, tol: float) -> float:
    """Max absolute difference, raising when above ``tol``."""
    diff = float((a.detach().float().cpu() -
                  b.detach().float().cpu()).abs().max()) if a.numel() else 0.0
    if not diff <= tol:
        raise AssertionError(f'max difference {diff:.3g} > {tol:g}')
    return diff


def kernel_differences(device: str) -> dict:
    from dos_mm.functional import (prototype_softmap_kl, zipf_prior,
                                   zipf_sinkhorn)
    from dos_mm.models.data_preprocessors.sparse_voxelize import hard_voxelize
    g = torch.Generator().manual_seed(0)
    pts = torch.rand(20000, 4, generator=g) * torch.tensor([40., 40, 4, 1])
    scan = torch.randint(0, 2, (20000, ), generator=g)
    out = {}
    args_v = ([0, 0, 0, 40, 40, 4], [0.2, 0.2, 0.2], 10, 30000)
    cpu = hard_voxelize(pts, scan, *args_v)
    gpu = hard_voxelize(pts.to(device), scan.to(device), *args_v)
    for key in ('voxels', 'num_points', 'coors'):
        if not torch.equal(cpu[key], gpu[key].cpu()):
            raise AssertionError(f'hard_voxelize {key} differs on CUDA')
    logits = torch.randn(5000, 512, generator=g) / 0.04
    prior = zipf_prior(512, 1.3)
    ref = zipf_sinkhorn(logits, prior)
    out['sinkhorn_fp32'] = _close(
        zipf_sinkhorn(logits.to(device), prior.to(device)), ref, 1e-4)
    for dtype in (torch.bfloat16, torch.float16):
        with torch.autocast(device, dtype=dtype):
            got = zipf_sinkhorn(logits.to(device), prior.to(device))
        out[f'sinkhorn_autocast_{str(dtype)[6:]}'] = _close(got, ref, 1e-4)
    emb = torch.nn.functional.normalize(torch.randn(5000, 64, generator=g))
    protos = torch.nn.functional.normalize(torch.randn(512, 64, generator=g))
    seg = torch.randint(0, 2, (5000, ), generator=g)
    rows = torch.arange(5000)

    def softmap_loss(log_q, device):
        terms = [(rows.to(device), rows.to(device), seg.to(device), 1.0)]
        return prototype_softmap_kl(
            emb.to(device), protos.to(device), 0.1, log_q, terms, 2)

    ref = softmap_loss(ref, 'cpu')
    with torch.autocast(device, dtype=torch.bfloat16):
        got = softmap_loss(
            zipf_sinkhorn(logits.to(device), prior.to(device)), device)
    out['softmap_loss_autocast'] = _close(got, ref, 1e-4)
    return out


def _demo_encoder():
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        str(REPO / 'configs' / '_base_' / 'models' / 'demo_sparse_encoder.py'))
    torch.manual_seed(0)
    return MODELS.build(cfg.demo_encoder).eval()


def spconv_differences(device: str) -> dict:
    enc = _demo_encoder()
    g = torch.Generator().manual_seed(0)
    coors = torch.unique(
        torch.cat([
            torch.zeros(8000, 1, dtype=torch.long),
            torch.randint(0, 40, (8000, 1), generator=g),
            torch.randint(0, 1024, (8000, 2), generator=g)
        ], 1),
        dim=0).int()
    feats = torch.randn(len(coors), 4, generator=g)
    with torch.no_grad():
        ref = enc(feats, coors, 1)
        enc.to(device)
        got = enc(feats.to(device), coors.to(device), 1)
        with torch.autocast(device, dtype=torch.float16):
            half = enc(feats.to(device), coors.to(device), 1)
    scale = float(ref.abs().max())
    return dict(
        fp32=_close(got, ref, 1e-3 * scale),
        fp16_autocast=_close(half, ref, 5e-2 * scale),
        fp16_dtype=str(half.dtype))


def ptv3_differences(device: str) -> dict:
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        str(REPO / 'configs' / 'dos' / 'pretrain_demo_ptv3.py'))
    torch.manual_seed(0)
    net = MODELS.build(cfg.model.encoder.backbone).eval()
    g = torch.Generator().manual_seed(0)
    coors = torch.unique(
        torch.cat([
            torch.randint(0, 2, (20000, 1), generator=g),
            torch.randint(0, 200, (20000, 3), generator=g)
        ], 1),
        dim=0)
    feats = torch.randn(len(coors), 4, generator=g)
    dev_feats, dev_coors = feats.to(device), coors.to(device)
    with torch.no_grad():
        ref = net(feats, coors, 2)[0][-1].features
        net.to(device)
        got = net(dev_feats, dev_coors, 2)[0][-1].features
        with torch.autocast(device, dtype=torch.bfloat16):
            half = net(dev_feats, dev_coors, 2)[0][-1].features
    net.train()
    with torch.autocast(device, dtype=torch.bfloat16):
        levels, _ = net(dev_feats, dev_coors, 2)
    sum(lv.features.float().square().mean() for lv in levels).backward()
    grads = [p.grad for p in net.parameters()]
    scale = float(ref.abs().max())
    return dict(
        fp32=_close(got, ref, 1e-3 * scale),
        bf16_autocast=_close(half.float(), ref, 1e-1 * scale),
        bf16_backward_finite=all(
            g is not None and bool(torch.isfinite(g).all()) for g in grads))


@pytest.mark.parametrize('device', DEVICES)
def test_kernels_match_the_cpu(device):
    diffs = kernel_differences(device)
    if device == 'cpu':
        assert all(v == 0.0 for v in diffs.values())  # CPU against CPU


@pytest.mark.parametrize('device', DEVICES)
def test_spconv_encoder_matches_the_cpu(device):
    out = spconv_differences(device)  # raises beyond the tolerances
    if device == 'cpu':
        assert out['fp32'] == 0.0
    else:
        assert out['fp16_dtype'] == 'torch.float16'  # autocast took hold


@pytest.mark.parametrize('device', DEVICES)
def test_ptv3_matches_the_cpu_and_trains_under_bf16(device):
    out = ptv3_differences(device)
    assert out['bf16_backward_finite']
    if device == 'cpu':
        assert out['fp32'] == 0.0
