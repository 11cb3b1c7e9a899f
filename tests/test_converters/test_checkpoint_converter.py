"""Pretrain -> convert -> mmdet3d's own CenterPoint / MinkUNet: every
backbone tensor arrives (trap: sparse-conv kernels need _metadata)."""
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import (get_state_dict, load_checkpoint,
                                        load_state_dict, save_checkpoint,
                                        weights_to_cpu)

from dos_mm.converters import convert_state_dict, load_dos_checkpoint
from dos_mm.datasets.transforms import DOSMultiView, PackDOSInputs
from ..conftest import REPO, TINY_CONFIG
from ..test_configs import CENTERPOINT, MINKUNET
from ..test_models.test_algorithms.test_dos import scan

CONVERT = REPO / 'tools' / 'convert_checkpoint.py'


def pretrain_steps(cfg, channels: int, steps: int = 2):
    """A few real DOS optimizer steps + teacher updates."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    opt = torch.optim.AdamW(model.student.parameters(), lr=1e-2)
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()
    for step in range(steps):
        pts = [scan(s) for s in (step, step + 10)]
        if channels > 4:  # zero extra channels (elongation, colour)
            pts = [
                np.c_[p, np.zeros((len(p), channels - 4), np.float32)]
                for p in pts
            ]
        batch = pseudo_collate([pack(mv(dict(points=p))) for p in pts])
        loss = model(**model.data_preprocessor(batch, True), mode='loss')
        loss['loss'].backward()
        opt.step()
        opt.zero_grad()
        model.set_schedule(teacher_momentum=0.5)
        model.teacher_update()
    return model


def save_like_the_runner(model, path):
    save_checkpoint(
        dict(
            state_dict=weights_to_cpu(get_state_dict(model)),
            meta=dict(iter=2)), str(path))


def assert_backbone_equal(loaded: OrderedDict, source: OrderedDict):
    assert list(loaded) == list(source)
    for key, value in source.items():
        assert torch.equal(loaded[key], value), key


@pytest.fixture(scope='module')
def nuscenes_dos():
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_nuscenes.py'))
    cfg.model.encoder.head.update(hidden_channels=64, num_prototypes=16)
    cfg.model.head.target.num_prototypes = 16
    return pretrain_steps(cfg, channels=5)


def test_centerpoint_gets_every_teacher_backbone_tensor(
        nuscenes_dos, tmp_path):
    src = tmp_path / 'dos.pth'
    save_like_the_runner(nuscenes_dos, src)
    ckpt = load_dos_checkpoint(str(src))
    state, count = convert_state_dict(ckpt['state_dict'], 'centerpoint')
    teacher = nuscenes_dos.teacher.module.backbone.state_dict()
    assert count == len(teacher)
    assert not all(
        torch.equal(v,
                    nuscenes_dos.student.backbone.state_dict()[k])
        for k, v in teacher.items())  # the teacher is not the student
    out = tmp_path / 'centerpoint.pth'
    torch.save(dict(state_dict=state), out)

    # init_cfg=Pretrained on mmdet3d's own CenterPoint config
    cfg = Config.fromfile(CENTERPOINT)
    cfg.model.init_cfg = dict(type='Pretrained', checkpoint=str(out))
    detector = MODELS.build(cfg.model)
    detector.init_weights()
    assert_backbone_equal(detector.pts_middle_encoder.state_dict(), teacher)

    # load_from style
    detector = MODELS.build(Config.fromfile(CENTERPOINT).model)
    load_checkpoint(detector, str(out), map_location='cpu', strict=False)
    assert_backbone_equal(detector.pts_middle_encoder.state_dict(), teacher)


def test_without_metadata_mmdet3d_silently_skips_kernels(
        nuscenes_dos, tmp_path):
    """The trap the converter avoids (and proof the equality test bites)."""
    state, _ = convert_state_dict(get_state_dict(nuscenes_dos), 'centerpoint')
    bare = OrderedDict(state)  # no _metadata
    detector = MODELS.build(Config.fromfile(CENTERPOINT).model)
    load_state_dict(detector, bare, strict=False)  # as init_cfg does: warns
    teacher = nuscenes_dos.teacher.module.backbone.state_dict()
    loaded = detector.pts_middle_encoder.state_dict()
    differ = [k for k, v in teacher.items() if not torch.equal(loaded[k], v)]
    assert any(k.endswith('weight') and loaded[k].dim() == 5 for k in differ)


def test_minkunet_gets_every_backbone_tensor(tmp_path):
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG.parent / 'dos_tiny_minkunet.py'))
    dos = pretrain_steps(cfg, channels=4, steps=1)
    src = tmp_path / 'dos.pth'
    save_like_the_runner(dos, src)
    import subprocess
    import sys
    out = tmp_path / 'minkunet.pth'
    proc = subprocess.run([
        sys.executable,
        str(CONVERT),
        str(src),
        str(out), '--target', 'minkunet', '--net', 'student'
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'tensors of the student backbone' in proc.stdout
    seg_cfg = Config.fromfile(MINKUNET).model
    seg_cfg.backbone = dict(
        cfg.model.encoder.backbone, type='MinkUNetBackbone')
    seg_cfg.decode_head.channels = 16
    seg_cfg.init_cfg = dict(type='Pretrained', checkpoint=str(out))
    segmentor = MODELS.build(seg_cfg)
    segmentor.init_weights()
    assert_backbone_equal(segmentor.backbone.state_dict(),
                          dos.student.backbone.state_dict())


def test_bad_inputs_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_dos_checkpoint(str(tmp_path / 'nope.pth'))
    broken = tmp_path / 'broken.pth'
    torch.save(dict(state_dict={}), broken)
    broken.write_bytes(broken.read_bytes()[:20])  # a truncated download
    with pytest.raises(ValueError, match='corrupted or truncated'):
        load_dos_checkpoint(str(broken))
    other = tmp_path / 'other.pth'
    torch.save(dict(weights=1), other)
    with pytest.raises(ValueError, match='not an mmengine checkpoint'):
        load_dos_checkpoint(str(other))
    with pytest.raises(ValueError, match='not a DOS checkpoint'):
        convert_state_dict(OrderedDict(backbone=torch.ones(1)), 'minkunet')
    sd = OrderedDict([('student.backbone.encoder_layers.0.weight',
                       torch.ones(1)),
                      ('student.backbone.conv_out.0.weight', torch.ones(1))])
    sd._metadata = OrderedDict()
    with pytest.raises(ValueError, match='use --target centerpoint'):
        convert_state_dict(sd, 'minkunet', net='student')
    assert convert_state_dict(sd, 'centerpoint', net='student')[1] == 2
    with pytest.raises(ValueError, match='unknown target'):
        convert_state_dict(OrderedDict(), 'pointpillars')


def test_ptv3_backbone_goes_under_the_segmentor_encoder():
    sd = OrderedDict([('student.backbone.stages.0.0.attn.qkv.weight',
                       torch.ones(1)),
                      ('student.backbone.pools.0.proj.weight', torch.ones(1))])
    sd._metadata = OrderedDict([('student.backbone.stages.0.0.cpe_conv',
                                 dict(version=2))])
    out, count = convert_state_dict(sd, 'ptv3', net='student')
    assert count == 2
    assert 'backbone.encoder.stages.0.0.attn.qkv.weight' in out
    assert 'backbone.encoder.stages.0.0.cpe_conv' in out._metadata
    with pytest.raises(ValueError, match='use --target ptv3'):
        convert_state_dict(sd, 'minkunet', net='student')
