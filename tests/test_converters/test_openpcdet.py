"""DOS checkpoints <-> OpenPCDet's VoxelResBackBone8x / VoxelBackBone8x,
checked against OpenPCDet's own key listing and outputs
(../shared/fixtures/openpcdet, see its SOURCE.md)."""
import json
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.converters import (backbone_tensors, dos_to_openpcdet,
                               from_openpcdet, openpcdet_to_centerpoint,
                               to_openpcdet)
from dos_mm.converters.openpcdet import (load_sparse_encoder, openpcdet_layout,
                                         sparse_encoder_cfg)
from ..conftest import REPO
from ..test_models.test_weight_init.test_backbone_pretrained import small_dos

FIXTURES = REPO.parent / 'shared' / 'fixtures' / 'openpcdet'
CONVERT = REPO / 'tools' / 'convert_checkpoint.py'
# pretraining config, point channels, OpenPCDet class, fixture listing
EXPORTS = {
    'nuscenes': ('dos/pretrain_nuscenes.py', 5, 'VoxelResBackBone8x',
                 'VoxelResBackBone8x_nus01'),
    'nuscenes_voxel0075': ('dos/pretrain_nuscenes_voxel0075.py', 5,
                           'VoxelResBackBone8x', 'VoxelResBackBone8x_nus0075'),
    'kitti': ('dos/pretrain_kitti_voxelbackbone8x.py', 4, 'VoxelBackBone8x',
              'VoxelBackBone8x_kitti'),
    'waymo': ('dos/pretrain_waymo_voxelbackbone8x.py', 5, 'VoxelBackBone8x',
              'VoxelBackBone8x_waymo'),
}


@pytest.fixture(scope='module')
def openpcdet_fixtures():
    if not FIXTURES.is_dir():
        pytest.skip(reason=f'../shared fixtures missing: {FIXTURES}')
    return FIXTURES


@pytest.fixture(scope='module')
def listing(openpcdet_fixtures):
    return json.loads(
        (openpcdet_fixtures / 'backbone_state_shapes.json').read_text())


@pytest.fixture(scope='module')
def dos_models():
    return {}


def _dos(name, cache):
    if name not in cache:
        config, channels = EXPORTS[name][:2]
        cache[name] = small_dos(config, channels)
    return cache[name]


@pytest.mark.parametrize('name', sorted(EXPORTS))
def test_layout_is_openpcdets(name, listing):
    """Our statement of OpenPCDet's keys and shapes is OpenPCDet's own."""
    _, channels, cls, fixture = EXPORTS[name]
    layout = openpcdet_layout(cls, channels)
    assert list(layout) == list(listing[fixture])
    assert {k: list(v) for k, v in layout.items()} == listing[fixture]


@pytest.mark.parametrize('name', sorted(EXPORTS))
def test_export_has_exactly_openpcdets_keys_and_round_trips(
        name, listing, dos_models):
    _, channels, cls, fixture = EXPORTS[name]
    dos = _dos(name, dos_models)
    state = dos_to_openpcdet(dos.state_dict(), in_channels=channels)
    assert list(state) == ['backbone_3d.' + k for k in listing[fixture]]
    for key, shape in listing[fixture].items():
        assert list(state['backbone_3d.' + key].shape) == shape, key
    biases = [k for k in state if k.endswith(('conv1.bias', 'conv2.bias'))]
    assert len(biases) == (16 if cls == 'VoxelResBackBone8x' else 0)
    assert all(not state[k].any() for k in biases)
    # OpenPCDet -> our twin gives back every tensor, bit for bit
    back = from_openpcdet(state)
    source = backbone_tensors(dos.state_dict())
    assert set(back) == set(source)
    for key, value in source.items():
        assert torch.equal(back[key], value), key


def _levels(encoder, golden, backbone):
    """Run mmdet3d's SparseEncoder stage by stage and return the tensors at
    OpenPCDet's x_conv1 ... x_conv4 and conv_out."""
    from spconv.pytorch import SparseConvTensor
    x = SparseConvTensor(golden['voxel_features'],
                         golden['voxel_coords'].int().contiguous(),
                         golden['sparse_shape'], golden['batch_size'])
    x = encoder.conv_input(x)
    out = {}
    for s, stage in enumerate(encoder.encoder_layers, start=1):
        if backbone == 'VoxelResBackBone8x':
            # mmdet3d's stride-2 convolution ends the stage; OpenPCDet's
            # x_conv{s} is taken before it
            blocks = list(stage)
            for block in blocks[:2]:
                x = block(x)
            out[f'x_conv{s}'] = x
            for down in blocks[2:]:
                x = down(x)
        else:
            x = stage(x)
            out[f'x_conv{s}'] = x
    out['conv_out'] = encoder.conv_out(x)
    return out


def _sorted(indices, features):
    """Rows in (batch, z, y, x) order: OpenPCDet and mmdet3d may list the
    same sites in another order."""
    order = torch.from_numpy(np.lexsort(indices.long().numpy().T[::-1]))
    return indices[order], features[order]


@pytest.mark.parametrize('backbone', ['VoxelResBackBone8x', 'VoxelBackBone8x'])
def test_golden_weights_reproduce_openpcdets_outputs(backbone,
                                                     openpcdet_fixtures):
    """OpenPCDet's weights, mapped into mmdet3d's SparseEncoder, give
    OpenPCDet's features at every level (same sites, features within float
    tolerance), with two CPU threads."""
    init_default_scope('mmdet3d')
    golden = torch.load(
        openpcdet_fixtures / f'openpcdet_{backbone}_golden.pth',
        weights_only=False)
    model_state = OrderedDict(
        ('backbone_3d.' + k, v) for k, v in golden['state_dict'].items())
    state = from_openpcdet(model_state)
    cfg = sparse_encoder_cfg(backbone, golden['input_channels'])
    cfg['sparse_shape'] = golden['sparse_shape']
    encoder = MODELS.build(cfg).eval()
    assert load_sparse_encoder(encoder, state) == len(state)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch.no_grad():
            ours = _levels(encoder, golden, backbone)
    finally:
        torch.set_num_threads(threads)
    for name in ('x_conv1', 'x_conv2', 'x_conv3', 'x_conv4', 'conv_out'):
        ref = golden[name]
        assert list(ours[name].spatial_shape) == list(ref['spatial_shape'])
        a_idx, a_feat = _sorted(ours[name].indices, ours[name].features)
        b_idx, b_feat = _sorted(ref['indices'], ref['features'])
        assert torch.equal(a_idx.int(), b_idx.int()), name
        torch.testing.assert_close(
            a_feat, b_feat, rtol=1e-4, atol=1e-4, msg=name)


def test_nonzero_openpcdet_biases_fold_into_batchnorm():
    """A trained OpenPCDet residual block has conv biases; BN(conv(x) + b)
    with running mean m is BN(conv(x)) with running mean m - b."""
    layout = openpcdet_layout('VoxelResBackBone8x', 5)
    gen = torch.Generator().manual_seed(0)
    state = OrderedDict()
    for key, shape in layout.items():
        state['backbone_3d.' + key] = torch.randn(shape, generator=gen) \
            if shape else torch.tensor(3)
    ours = from_openpcdet(state)
    key = 'encoder_layers.encoder_layer2.1.bn2.running_mean'  # conv2.2
    expected = state['backbone_3d.conv2.2.bn2.running_mean'] - \
        state['backbone_3d.conv2.2.conv2.bias']
    assert torch.equal(ours[key], expected)
    assert not any(k.endswith('conv1.bias') for k in ours)
    # the function: eval-mode BN of (y + b) equals BN with the folded mean
    bn = torch.nn.BatchNorm1d(32, eps=1e-3).eval()
    y, b = torch.randn(10, 32), state['backbone_3d.conv2.2.conv2.bias']
    bn.running_mean.copy_(state['backbone_3d.conv2.2.bn2.running_mean'])
    bn.running_var.copy_(state['backbone_3d.conv2.2.bn2.running_var'].abs())
    plain = bn(y + b)
    bn.running_mean.copy_(ours[key])
    torch.testing.assert_close(bn(y), plain)


def test_refusals_name_the_fix(dos_models):
    dos = _dos('nuscenes', dos_models)
    with pytest.raises(
            ValueError, match='5 point channels.*OpenPCDet '
            'config 4'):
        dos_to_openpcdet(dos.state_dict(), in_channels=4)
    tensors = backbone_tensors(dos.state_dict())
    bad = OrderedDict(tensors)
    bad['conv_out.0.weight'] = torch.zeros(128, 3, 1, 1, 64)
    with pytest.raises(ValueError, match=r'mis-sized: conv_out.0.weight'):
        to_openpcdet(bad)
    with pytest.raises(ValueError, match='not an OpenPCDet VoxelBackBone8x'):
        to_openpcdet(tensors, 'VoxelBackBone8x')
    # a MinkUNet backbone: not a SparseEncoder, the fitting configs named
    minkunet = {
        'conv_input.0.weight': torch.zeros(1),
        'encoder.0.0.weight': torch.zeros(1)
    }
    with pytest.raises(
            ValueError,
            match='pretrain_nuscenes.py.*'
            'pretrain_kitti_voxelbackbone8x.py'):
        to_openpcdet(minkunet)
    # the demo's small SparseEncoder (other channels): not VoxelBackBone8x
    init_default_scope('mmdet3d')
    demo = Config.fromfile(str(REPO / 'configs/dos/pretrain_demo.py'))
    small = MODELS.build(demo.model.encoder.backbone).state_dict()
    with pytest.raises(
            ValueError,
            match='not an OpenPCDet VoxelBackBone8x '
            r'\(it fits configs/dos/pretrain_kitti'):
        to_openpcdet(small)
    with pytest.raises(ValueError, match='not an OpenPCDet checkpoint'):
        from_openpcdet({'vfe.weight': torch.zeros(1)})


def test_cli_exports_and_imports(tmp_path, dos_models, openpcdet_fixtures):
    """``--target openpcdet`` writes what OpenPCDet's --pretrained_model
    reads; ``--from-openpcdet`` turns OpenPCDet's golden backbone into a
    CenterPoint checkpoint that BackbonePretrained loads whole."""
    from ..test_converters.test_checkpoint_converter import \
        save_like_the_runner
    dos = _dos('nuscenes', dos_models)
    src = tmp_path / 'iter_2.pth'
    save_like_the_runner(dos, src)
    dst = tmp_path / 'pcdet.pth'
    run = subprocess.run([
        sys.executable,
        str(CONVERT),
        str(src),
        str(dst), '--target', 'openpcdet', '--input-channels', '5'
    ],
                         capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert '142 tensors' in run.stdout
    written = torch.load(dst, weights_only=False)
    assert len(written['model_state']) == 142
    assert written['version'].startswith('dos_mm')
    assert written['dos_mm']['net'] == 'teacher'
    wrong = subprocess.run([
        sys.executable,
        str(CONVERT),
        str(src),
        str(tmp_path / 'x.pth'), '--target', 'openpcdet', '--input-channels',
        '4'
    ],
                           capture_output=True,
                           text=True)
    assert wrong.returncode == 2 and 'point channels' in wrong.stderr
    assert not (tmp_path / 'x.pth').exists()

    golden = torch.load(
        openpcdet_fixtures / 'openpcdet_VoxelResBackBone8x_golden.pth',
        weights_only=False)
    pcdet = tmp_path / 'pcdet_detector.pth'
    torch.save(
        dict(
            model_state={
                **{
                    'backbone_3d.' + k: v
                    for k, v in golden['state_dict'].items()
                }, 'dense_head.conv.weight': torch.zeros(1)
            }), pcdet)
    mm = tmp_path / 'mm.pth'
    run = subprocess.run([
        sys.executable,
        str(CONVERT),
        str(pcdet),
        str(mm), '--from-openpcdet', '--target', 'centerpoint'
    ],
                         capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        str(REPO / 'configs/centerpoint/centerpoint_voxel01_dos_nus-3d.py'))
    cfg.model.init_cfg.checkpoint = str(mm)
    model = MODELS.build(cfg.model)
    model.init_weights()  # BackbonePretrained: every tensor or an error
    expected = from_openpcdet(torch.load(pcdet)['model_state'])
    loaded = model.pts_middle_encoder.state_dict()
    assert set(loaded) == set(expected)
    for key, value in expected.items():
        assert torch.equal(loaded[key], value), key


def test_openpcdet_to_centerpoint_carries_version_2_metadata():
    layout = openpcdet_layout('VoxelBackBone8x', 4)
    state = OrderedDict(
        ('backbone_3d.' + k, torch.rand(s) if s else torch.tensor(1))
        for k, s in layout.items())
    init_default_scope('mmdet3d')
    out = openpcdet_to_centerpoint(state)
    assert all(k.startswith('pts_middle_encoder.') for k in out)
    # mmdet3d loads a sparse-conv kernel as it is only at version 2
    assert out._metadata['pts_middle_encoder.conv_input.0']['version'] == 2
