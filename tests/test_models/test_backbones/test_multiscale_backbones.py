"""Multi-scale twins keep mmdet3d's parameters and outputs."""
import copy

import pytest
import torch
from mmdet3d.models.backbones import MinkUNetBackbone
from mmdet3d.models.middle_encoders import SparseEncoder

from dos_mm.models.algorithms.dos_encoder import build_multiscale_backbone
from dos_mm.models.backbones import MultiScaleMinkUNet, MultiScaleSparseEncoder

CENTERPOINT = dict(
    type='SparseEncoder',
    in_channels=5,
    sparse_shape=[41, 64, 64],
    output_channels=128,
    order=('conv', 'norm', 'act'),
    encoder_channels=((16, 16, 32), (32, 32, 64), (64, 64, 128), (128, 128)),
    encoder_paddings=((0, 0, 1), (0, 0, 1), (0, 0, [0, 1, 1]), (0, 0)),
    block_type='basicblock')
MINKUNET = dict(
    type='MinkUNetBackbone',
    in_channels=4,
    base_channels=8,
    encoder_channels=[8, 16, 16, 32],
    decoder_channels=[32, 16, 16, 16],
    encoder_blocks=[1, 1, 1, 1],
    decoder_blocks=[1, 1, 1, 1],
    sparseconv_backend='spconv')


def random_voxels(shape, n=400, channels=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    coors = torch.stack(
        [torch.randint(0, s, (n, ), generator=g) for s in shape], 1)
    coors = torch.unique(
        torch.cat([torch.zeros(n, 1, dtype=torch.long), coors], 1),
        dim=0).int()
    return torch.randn(len(coors), channels, generator=g), coors


def test_sparse_encoder_twin_has_the_same_state_dict_and_outputs():
    torch.manual_seed(0)
    ref = SparseEncoder(
        **{
            k: v
            for k, v in CENTERPOINT.items() if k != 'type'
        },
        return_middle_feats=True)
    twin = build_multiscale_backbone(CENTERPOINT)
    assert isinstance(twin, MultiScaleSparseEncoder)
    ref_sd, twin_sd = ref.state_dict(), twin.state_dict()
    assert list(ref_sd) == list(twin_sd)
    assert all(ref_sd[k].shape == twin_sd[k].shape for k in ref_sd)
    twin.load_state_dict(ref_sd)
    ref.eval(), twin.eval()
    feats, coors = random_voxels([41, 64, 64])
    spatial, middle = ref(feats, coors, 1)
    levels, strides = twin(feats, coors, 1)
    assert len(levels) == len(middle) + 1
    for a, b in zip(middle, levels):
        assert torch.equal(a.features, b.features)
    dense = levels[-1].dense()
    assert torch.equal(dense.view(1, -1, *dense.shape[-2:]), spatial)
    assert strides == [(2, 2, 2), (4, 4, 4), (8, 8, 8), (8, 8, 8), (16, 8, 8)]


def test_sparse_encoder_twin_computes_each_stages_pairs_once(monkeypatch):
    """The basic blocks' submanifold convolutions share their stage's
    neighbour pairs (mmdet3d recomputes them in every convolution)."""
    from spconv.pytorch import ops

    calls = []
    original = ops.get_indice_pairs
    monkeypatch.setattr(ops, 'get_indice_pairs',
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    cfg = {k: v for k, v in CENTERPOINT.items() if k != 'type'}
    feats, coors = random_voxels([41, 64, 64])
    counts = []
    for net in (SparseEncoder(**cfg), build_multiscale_backbone(CENTERPOINT)):
        calls.clear()
        net(feats, coors, 1)
        counts.append(len(calls))
    # conv_input, 3 downsampling convs, conv_out and one set per stage
    assert counts[1] == 1 + 3 + 1 + 4
    assert counts[0] > counts[1]


def test_sparse_encoder_twin_accepts_init_cfg():
    twin = MultiScaleSparseEncoder(
        init_cfg=dict(type='Constant', layer='Linear', val=0.0),
        **{
            k: v
            for k, v in CENTERPOINT.items() if k != 'type'
        })
    assert twin.init_cfg['type'] == 'Constant'


def test_minkunet_twin_matches_mmdet3d_when_the_shape_is_aligned():
    torch.manual_seed(0)
    ref = MinkUNetBackbone(**{
        k: copy.deepcopy(v)
        for k, v in MINKUNET.items() if k != 'type'
    })
    twin = build_multiscale_backbone(MINKUNET)
    assert isinstance(twin, MultiScaleMinkUNet)
    assert list(ref.state_dict()) == list(twin.state_dict())
    twin.load_state_dict(ref.state_dict())
    ref.eval(), twin.eval()
    feats, coors = random_voxels([32, 32, 32], channels=4)
    coors[-1, 1:] = 31  # extent 32: a multiple of 2^4, no rounding needed
    out_ref = ref(feats, coors)
    levels, strides = twin(feats, coors, 1)
    assert torch.allclose(levels[-1].features, out_ref, atol=1e-5)
    assert strides == [(8, 8, 8), (4, 4, 4), (2, 2, 2), (1, 1, 1)]


def test_minkunet_twin_keeps_every_voxel_with_odd_extents():
    """spconv's stride-2 kernel-2 conv drops an odd dimension's last row;
    the twin pads the shape so every voxel keeps a parent."""
    twin = build_multiscale_backbone(MINKUNET).eval()
    feats, coors = random_voxels([33, 33, 33], channels=4, seed=1)
    coors[-1, 1:] = 32
    levels, _ = twin(feats, coors, 1)
    assert len(levels[-1].features) == len(feats)


def test_minkunet_twin_rejects_other_backends():
    cfg = {k: copy.deepcopy(v) for k, v in MINKUNET.items() if k != "type"}
    cfg['sparseconv_backend'] = 'torchsparse'
    with pytest.raises(ValueError, match='spconv backend'):
        MultiScaleMinkUNet(**cfg)


def test_frozen_sparse_encoder_never_trains():
    """The frozen-encoder detection row: no gradients, eval-mode BN, the
    same parameter names as mmdet3d's SparseEncoder."""
    from mmdet3d.models.middle_encoders import SparseEncoder

    from dos_mm.models.backbones import FrozenSparseEncoder
    kwargs = dict(in_channels=4, sparse_shape=[41, 64, 64])
    frozen = FrozenSparseEncoder(**kwargs)
    plain = SparseEncoder(**kwargs)
    assert list(frozen.state_dict()) == list(plain.state_dict())
    frozen.train()
    assert not frozen.training
    assert not any(p.requires_grad for p in frozen.parameters())
    gen = torch.Generator().manual_seed(0)
    coors = torch.stack([
        torch.zeros(2000, dtype=torch.int32),
        torch.randint(0, 41, (2000, ), dtype=torch.int32, generator=gen),
        torch.randint(0, 64, (2000, ), dtype=torch.int32, generator=gen),
        torch.randint(0, 64, (2000, ), dtype=torch.int32, generator=gen)
    ], 1).unique(dim=0).contiguous()
    feats = torch.randn(len(coors), 4, requires_grad=True)
    before = {k: v.clone() for k, v in frozen.state_dict().items()}
    out = frozen(feats, coors, 1)
    assert not out.requires_grad
    for key, value in frozen.state_dict().items():  # BN statistics too
        assert torch.equal(value, before[key]), key
