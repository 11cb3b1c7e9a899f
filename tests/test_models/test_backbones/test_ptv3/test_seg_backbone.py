"""PTv3 in mmdet3d's segmentor: the light decoder and the frozen probe."""
import torch
from mmdet3d.registry import MODELS

from .test_encoder import SMALL, voxels

ENCODER = {k: v for k, v in SMALL.items() if k != 'type'}


def test_decoder_gives_each_input_voxel_a_feature_and_trains():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='PTv3SegBackbone', channels=12, encoder=ENCODER))
    model.init_weights()
    model.train()
    feats, coors = voxels(seed=4)
    out = model(feats, coors)
    assert out.shape == (len(coors), 12)
    out.square().mean().backward()
    assert all(p.grad is not None for p in model.parameters())
    # the encoder's tensors sit under encoder., as the converter writes them
    assert all(k.startswith(('encoder.', 'lateral.', 'norm.'))
               for k in model.state_dict())


def test_decoder_sums_every_stage_up_cast_to_the_voxels():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='PTv3SegBackbone', channels=6, encoder=ENCODER)).eval()
    feats, coors = voxels(seed=5)
    levels, strides = model.encoder(feats, coors, 2)
    expect = 0
    for level, (s, _, _), proj in zip(levels, strides, model.lateral):
        cell = torch.cat([coors[:, :1], coors[:, 1:] // s], 1)
        index = {tuple(c): i for i, c in enumerate(level.indices.tolist())}
        rows = torch.tensor([index[tuple(c)] for c in cell.tolist()])
        expect = expect + proj(level.features)[rows]
    torch.testing.assert_close(
        model(feats, coors), model.act(model.norm(expect)), atol=1e-5,
        rtol=1e-5)


def test_frozen_probe_never_trains_and_concatenates_every_stage():
    model = MODELS.build(dict(type='FrozenUpcastPTv3', encoder=ENCODER))
    model.train()
    assert not model.training and not model.encoder.training
    assert not any(p.requires_grad for p in model.parameters())
    feats, coors = voxels(seed=6)
    before = model.encoder.stem[1].running_mean.clone()
    out = model(feats, coors)
    assert out.shape == (len(coors), sum(SMALL['channels']))
    assert not out.requires_grad
    assert torch.equal(model.encoder.stem[1].running_mean, before)
