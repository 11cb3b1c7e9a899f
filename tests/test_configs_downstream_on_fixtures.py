"""The downstream (fine-tuning) configs read mmdet3d's real-format samples
(../shared/fixtures) through their own pipelines, train one step of
mmdet3d's CenterPoint / MinkUNet and predict."""
import copy

import numpy as np
import pytest
import torch
from mmdet3d.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from .conftest import REPO

# config -> (fixture folder, info file, data_prefix)
CASES = {
    'centerpoint/centerpoint_voxel01_scratch_nus-3d.py':
    ('nuscenes', 'nus_info.pkl',
     dict(pts='samples/LIDAR_TOP', sweeps='sweeps/LIDAR_TOP')),
    'centerpoint/centerpoint_voxel0075_scratch_nus-3d.py':
    ('nuscenes', 'nus_info.pkl',
     dict(pts='samples/LIDAR_TOP', sweeps='sweeps/LIDAR_TOP')),
    'centerpoint/centerpoint_voxel01_scratch_waymo-3d.py':
    ('waymo/kitti_format', 'waymo_infos_train.pkl',
     dict(pts='training/velodyne', sweeps='training/velodyne')),
    'minkunet/minkunet34_w32_spconv_scratch_semantickitti.py':
    ('semantickitti', 'semantickitti_infos.pkl',
     dict(
         pts='sequences/00/velodyne',
         pts_semantic_mask='sequences/00/labels')),
    'minkunet/minkunet34_w32_spconv_scratch_scannet-seg.py':
    ('scannet', 'scannet_infos.pkl',
     dict(
         pts='points',
         pts_semantic_mask='semantic_mask',
         pts_instance_mask='instance_mask')),
}
# Point Transformer V3 in the same segmentor, data and metric
CASES.update({
    'ptv3/ptv3_scratch_semantickitti.py':
    CASES['minkunet/minkunet34_w32_spconv_scratch_semantickitti.py'],
    'ptv3/ptv3_scratch_scannet-seg.py':
    CASES['minkunet/minkunet34_w32_spconv_scratch_scannet-seg.py'],
})
# the small PTv3 of the tests (the configs' default has 108 M parameters)
SMALL_PTV3 = dict(
    channels=(8, 16, 16, 32),
    depths=(1, 1, 1, 1),
    num_heads=(2, 2, 2, 4),
    patch_size=256)


def inner(ds_cfg):
    """The dataset inside CBGS / Repeat wrappers."""
    while 'dataset' in ds_cfg:
        ds_cfg = ds_cfg['dataset']
    return ds_cfg


def build_dataset(loader_cfg, root, ann_file, prefix, train):
    ds_cfg = copy.deepcopy(loader_cfg.dataset)
    core = inner(ds_cfg)
    core.update(data_root=root, ann_file=ann_file, data_prefix=prefix)
    core.pop('load_interval', None)
    if 'scene_idxs' in core or 'ScanNet' in core['type']:
        core['scene_idxs'] = [0]  # the fixture ships no resampled list
    if train:  # the database sampler needs dbinfos the fixtures lack
        core.pipeline = [
            t for t in core.pipeline if t['type'] != 'ObjectSample'
        ]
    return DATASETS.build(core)


@pytest.mark.parametrize('config', sorted(CASES))
def test_downstream_config_trains_and_predicts_on_real_samples(
        config, shared_fixtures):
    init_default_scope('mmdet3d')
    folder, ann_file, prefix = CASES[config]
    cfg = Config.fromfile(str(REPO / 'configs' / config))
    root = str(shared_fixtures / folder) + '/'
    train_set = build_dataset(cfg.train_dataloader, root, ann_file, prefix,
                              True)
    if cfg.model.get('backbone', {}).get('type') == 'PTv3SegBackbone':
        cfg.model.backbone.encoder.update(SMALL_PTV3)
    torch.manual_seed(0)
    np.random.seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch = pseudo_collate([train_set[0]])
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    total = sum(v.sum() for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    test_set = build_dataset(cfg.test_dataloader, root, ann_file, prefix,
                             False)
    model.eval()
    with torch.no_grad():
        batch = pseudo_collate([test_set[0]])
        out = model.test_step(batch)
    assert len(out) == 1
    pred = out[0]
    if 'minkunet' in config or 'ptv3' in config:
        labels = pred.pred_pts_seg.pts_semantic_mask
        assert len(labels) == len(batch['inputs']['points'][0])
    else:
        assert hasattr(pred.pred_instances_3d, 'bboxes_3d')
