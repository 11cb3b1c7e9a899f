"""mmdet3d's CenterHead initialises its task heads (dos_mm.compat)."""
from pathlib import Path

import mmdet3d
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import dos_mm  # noqa: F401  (applies the patch)
from dos_mm.compat.centerpoint_head_init import patch_centerpoint_head_init

CENTERPOINT = str(
    Path(mmdet3d.__file__).parent / '.mim' / 'configs' / 'centerpoint' /
    'centerpoint_voxel01_second_secfpn_8xb4-cyclic-20e_nus-3d.py')


def _head():
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(CENTERPOINT)
    return MODELS.build(cfg.model.pts_bbox_head)


def test_heatmap_bias_is_the_configured_prior():
    head = _head()
    head.init_weights()
    for task in head.task_heads:
        assert task.heatmap[-1].bias.eq(task.init_bias).all()


def test_without_the_patch_the_task_heads_keep_their_defaults(monkeypatch):
    from mmdet3d.models.dense_heads import CenterHead
    from mmengine.model import BaseModule
    monkeypatch.setattr(CenterHead, 'init_weights', BaseModule.init_weights)
    head = _head()
    head.init_weights()
    assert not any(task.heatmap[-1].bias.eq(task.init_bias).all()
                   for task in head.task_heads)
    monkeypatch.undo()
    assert patch_centerpoint_head_init() is True


def test_whole_detector_gets_the_prior():
    init_default_scope('mmdet3d')
    model = MODELS.build(Config.fromfile(CENTERPOINT).model)
    model.init_weights()
    assert all(task.heatmap[-1].bias.eq(-2.19).all()
               for task in model.pts_bbox_head.task_heads)
