"""Pretrain -> convert -> dos_mm's downstream configs (mmdet3d's CenterPoint
and MinkUNet): BackbonePretrained loads every backbone tensor or fails."""
import logging

import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from dos_mm.converters import convert_state_dict, save_converted
from ...conftest import REPO
from ...test_converters.test_checkpoint_converter import (
    assert_backbone_equal, pretrain_steps)

# (pretraining config, channels, converter target, downstream configs)
PAIRS = {
    'nuscenes': ('dos/pretrain_nuscenes.py', 5, 'centerpoint', [
        'centerpoint/centerpoint_voxel01_dos_nus-3d.py',
        'centerpoint/centerpoint_voxel01_dos_nus-3d_label1pct.py'
    ]),
    'nuscenes_voxel0075':
    ('dos/pretrain_nuscenes_voxel0075.py', 5, 'centerpoint',
     ['centerpoint/centerpoint_voxel0075_dos_nus-3d.py']),
    'waymo': ('dos/pretrain_waymo.py', 5, 'centerpoint',
              ['centerpoint/centerpoint_voxel01_dos_waymo-3d.py']),
    'semantickitti': ('dos/pretrain_semantickitti.py', 4, 'minkunet', [
        'minkunet/minkunet34_w32_spconv_dos_semantickitti.py',
        'minkunet/minkunet34_w32_spconv_dos-linear-probe_semantickitti.py'
    ]),
    'nuscenes_minkunet': ('dos/pretrain_nuscenes_minkunet.py', 4, 'minkunet', [
        'minkunet/minkunet34_w32_spconv_dos_nus-lidarseg.py',
        'minkunet/minkunet34_w32_spconv_dos-linear-probe_nus-lidarseg.py'
    ]),
    'scannet': ('dos/pretrain_scannet.py', 6, 'minkunet',
                ['minkunet/minkunet34_w32_spconv_dos_scannet-seg.py']),
    'semantickitti_ptv3': ('dos/pretrain_semantickitti_ptv3.py', 4, 'ptv3', [
        'ptv3/ptv3_dos_semantickitti.py',
        'ptv3/ptv3_dos-linear-probe_semantickitti.py'
    ]),
    'nuscenes_ptv3': ('dos/pretrain_nuscenes_ptv3.py', 4, 'ptv3', [
        'ptv3/ptv3_dos_nus-lidarseg.py',
        'ptv3/ptv3_dos-linear-probe_nus-lidarseg.py'
    ]),
    'scannet_ptv3': ('dos/pretrain_scannet_ptv3.py', 6, 'ptv3', [
        'ptv3/ptv3_dos_scannet-seg.py',
        'ptv3/ptv3_dos-linear-probe_scannet-seg.py'
    ]),
}


def small_dos(config: str, channels: int):
    """One real DOS step on the full-size backbone of ``config`` (small
    prototype head, to keep the test quick). The full-size PTv3 (108 M
    parameters) takes no step: on the test scans its activations need more
    memory than CI has, and the loading checks need only its tensors."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(REPO / 'configs' / config))
    cfg.model.encoder.head.update(hidden_channels=32, num_prototypes=8)
    cfg.model.head.target.num_prototypes = 8
    steps = 0 if cfg.model.encoder.backbone.type == 'PointTransformerV3' \
        else 1
    return pretrain_steps(cfg, channels=channels, steps=steps)


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_downstream_configs_get_every_pretrained_tensor(name, tmp_path):
    config, channels, target, downstream = PAIRS[name]
    dos = small_dos(config, channels)
    state, count = convert_state_dict(dos.state_dict(), target)
    ckpt = tmp_path / f'{name}.pth'
    save_converted(state, str(ckpt), meta=dict(target=target))
    teacher = dos.teacher.module.backbone.state_dict()
    for path in downstream:
        cfg = Config.fromfile(str(REPO / 'configs' / path))
        assert cfg.model.init_cfg.type == 'BackbonePretrained'
        cfg.model.init_cfg.checkpoint = str(ckpt)
        model = MODELS.build(cfg.model)
        logger = MMLogger.get_current_instance()
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger.addHandler(handler)
        try:
            model.init_weights()
        finally:
            logger.removeHandler(handler)
        sub = model.get_submodule(cfg.model.init_cfg.prefix)
        assert_backbone_equal(sub.state_dict(), teacher)
        assert any(f'loaded {count}/{count} tensors' in r.getMessage()
                   for r in records), path


@pytest.fixture(scope='module')
def semantickitti_ckpt(tmp_path_factory):
    dos = small_dos('dos/pretrain_semantickitti.py', 4)
    state, _ = convert_state_dict(dos.state_dict(), 'minkunet')
    path = tmp_path_factory.mktemp('ckpt') / 'minkunet.pth'
    save_converted(state, str(path), meta={})
    return path, state


def build(config: str, checkpoint):
    cfg = Config.fromfile(str(REPO / 'configs' / config))
    cfg.model.init_cfg.checkpoint = str(checkpoint)
    return MODELS.build(cfg.model)


def test_wrong_target_fails_before_training(semantickitti_ckpt):
    path, _ = semantickitti_ckpt
    model = build('centerpoint/centerpoint_voxel01_dos_nus-3d.py', path)
    with pytest.raises(ValueError, match='does not fit CenterPoint'):
        model.init_weights()


def test_missing_and_truncated_files_are_named(tmp_path, semantickitti_ckpt):
    cfg = 'minkunet/minkunet34_w32_spconv_dos_semantickitti.py'
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        build(cfg, tmp_path / 'nope.pth').init_weights()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(semantickitti_ckpt[0].read_bytes()[:1000])
    with pytest.raises(ValueError, match='corrupted or truncated'):
        build(cfg, cut).init_weights()


def test_kernels_skipped_by_mmdet3d_are_caught(tmp_path, semantickitti_ckpt):
    """Without _metadata mmdet3d re-lays out spconv kernels (trap 2): the
    shapes of a 3x3x3 kernel still fit, so only the value check sees it."""
    _, state = semantickitti_ckpt
    bare = dict(state)  # drops _metadata
    path = tmp_path / 'bare.pth'
    torch.save(dict(state_dict=bare), path)
    model = build('minkunet/minkunet34_w32_spconv_dos_semantickitti.py', path)
    with pytest.raises(ValueError, match='differ from the file'):
        model.init_weights()


def test_wrong_prefix_is_named(semantickitti_ckpt):
    cfg = Config.fromfile(
        str(REPO / 'configs/minkunet/'
            'minkunet34_w32_spconv_dos_semantickitti.py'))
    cfg.model.init_cfg.update(
        checkpoint=str(semantickitti_ckpt[0]), prefix='pts_middle_encoder')
    with pytest.raises(ValueError, match="no sub-module 'pts_middle_encoder'"):
        MODELS.build(cfg.model).init_weights()
