"""The real-dataset pretraining configs read mmdet3d's real-format samples
(../shared/fixtures) and run a DOS step on them."""
import copy

import pytest
import torch
from mmdet3d.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from dos_mm.datasets.nuscenes_seg_dataset import NUSCENES_LIDARSEG_CLASSES
from .conftest import REPO

CASES = {
    'nuscenes': ('nuscenes', 'nus_info.pkl',
                 dict(pts='samples/LIDAR_TOP', sweeps='sweeps/LIDAR_TOP')),
    'waymo': ('waymo/kitti_format', 'waymo_infos_train.pkl',
              dict(pts='training/velodyne', sweeps='training/velodyne')),
    'semantickitti': ('semantickitti', 'semantickitti_infos.pkl',
                      dict(
                          pts='sequences/00/velodyne',
                          pts_semantic_mask='sequences/00/labels')),
    'scannet': ('scannet', 'scannet_infos.pkl', dict(pts='points')),
    'kitti_voxelbackbone8x':
    ('kitti', 'kitti_infos_train.pkl', dict(pts='training/velodyne')),
    'waymo_voxelbackbone8x':
    ('waymo/kitti_format', 'waymo_infos_train.pkl',
     dict(pts='training/velodyne', sweeps='training/velodyne')),
}
# Point Transformer V3 on the same samples
CASES.update({
    f'{name}_ptv3': CASES[name]
    for name in ('nuscenes', 'waymo', 'semantickitti', 'scannet')
})
# the small PTv3 of the tests (the configs' default has 108 M parameters)
SMALL_PTV3 = dict(
    channels=(8, 16, 16, 32),
    depths=(1, 1, 1, 1),
    num_heads=(2, 2, 2, 4),
    patch_size=256)


@pytest.mark.parametrize('name', sorted(CASES))
def test_pretraining_config_runs_on_real_format_samples(name, shared_fixtures):
    init_default_scope('mmdet3d')
    folder, ann_file, prefix = CASES[name]
    cfg = Config.fromfile(str(REPO / f'configs/dos/pretrain_{name}.py'))
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(
        data_root=str(shared_fixtures / folder) + '/',
        ann_file=ann_file,
        data_prefix=prefix)
    ds_cfg.pop('load_interval', None)
    if name.startswith('scannet'):
        ds_cfg['scene_idxs'] = [0]  # the fixture ships no resampled list
    for t in ds_cfg.pipeline:
        if t['type'] == 'DOSMultiView':
            t['min_points'] = 8
    dataset = DATASETS.build(ds_cfg)
    sample = dataset[0]
    views = sample['inputs']['views']
    assert len(views) == 2
    channels = {
        'nuscenes': 5,
        'waymo': 5,
        'semantickitti': 4,
        'scannet': 6,
        'kitti_voxelbackbone8x': 4,
        'waymo_voxelbackbone8x': 5,
        'nuscenes_ptv3': 4,  # the input of the nuScenes-lidarseg configs
        'waymo_ptv3': 5,
        'semantickitti_ptv3': 4,
        'scannet_ptv3': 6
    }
    assert views[0]['points'].shape[1] == channels[name]
    # one DOS step with the config's model (prototypes shrunk for speed)
    cfg.model.encoder.head.update(hidden_channels=64, num_prototypes=16)
    if cfg.model.encoder.backbone.type == 'PointTransformerV3':
        cfg.model.encoder.backbone.update(SMALL_PTV3)
    cfg.model.head.target.num_prototypes = 16
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch = pseudo_collate([sample, dataset[0]])
    out = model(**model.data_preprocessor(batch, True), mode='loss')
    assert torch.isfinite(out['loss'])
    assert float(out['upcast_missing']) == 0
    out['loss'].backward()  # it trains: every student tensor has a gradient
    assert all(p.grad is not None for p in model.student.parameters())


def test_joint_outdoor_config_mixes_nuscenes_and_waymo(shared_fixtures):
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_joint_outdoor.py'))
    parts = cfg.train_dataloader.dataset.datasets
    for part, name in zip(parts, ('nuscenes', 'waymo')):
        folder, ann_file, prefix = CASES[name]
        part.update(
            data_root=str(shared_fixtures / folder) + '/',
            ann_file=ann_file,
            data_prefix=prefix)
        part.pop('load_interval', None)
        for t in part.pipeline:
            if t['type'] == 'DOSMultiView':
                t['min_points'] = 8
    cfg.train_dataloader.dataset.datasets = parts
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    samples = [dataset[0], dataset[len(dataset) - 1]]  # one of each
    for sample in samples:
        pts = sample['inputs']['views'][0]['points']
        assert pts.shape[1] == 5
        assert float(pts[:, 3].abs().max()) <= 1.0  # intensity on [0, 1]
    cfg.model.encoder.head.update(hidden_channels=64, num_prototypes=16)
    cfg.model.head.target.num_prototypes = 16
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    out = model(
        **model.data_preprocessor(pseudo_collate(samples), True), mode='loss')
    assert torch.isfinite(out['loss'])


@pytest.mark.parametrize('name', ['semantickitti', 'scannet'])
def test_probe_config_evaluates_a_real_format_scan(name, shared_fixtures):
    from mmdet3d.registry import METRICS
    init_default_scope('mmdet3d')
    folder, ann_file, prefix = CASES[name]
    cfg = Config.fromfile(str(REPO / f'configs/dos/pretrain_{name}_probe.py'))
    assert cfg.train_cfg.val_interval == 5000
    # the probe reads the points as the pretraining does
    assert cfg.val_dataloader.dataset.fit.pipeline[0] == \
        cfg.train_dataloader.dataset.pipeline[0]
    probe = copy.deepcopy(cfg.val_dataloader.dataset)
    for part in ('fit', 'held_out'):  # the fixture's one scan, twice
        probe[part].update(
            data_root=str(shared_fixtures / folder) + '/',
            ann_file=ann_file,
            data_prefix=dict(probe[part].get('data_prefix', {}), **prefix))
        probe[part].pop('indices', None)
    dataset = DATASETS.build(probe)
    cfg.model.encoder.head.update(hidden_channels=64, num_prototypes=16)
    cfg.model.head.target.num_prototypes = 16
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    metric = METRICS.build(
        dict(
            cfg.val_evaluator, fit_points_per_scan=2000,
            probe=dict(epochs=10)))
    metric.dataset_meta = dataset.metainfo
    for i in range(len(dataset)):
        out = model.val_step(pseudo_collate([dataset[i]]))
        metric.process({}, [o.to_dict() for o in out])
    values = metric.compute_metrics(metric.results)
    assert 0 < values['miou'] <= 100
    assert values['prototypes_in_use'] >= 1


def test_nuscenes_lidarseg_probe_reads_as_pretraining_and_lidarseg():
    """(The fixtures hold no lidarseg labels.) The probe's scans are read
    as the pretraining reads them and labelled as the nuScenes-lidarseg
    configs label them."""
    cfg = Config.fromfile(
        str(REPO / 'configs/dos/pretrain_nuscenes_minkunet_probe.py'))
    seg = Config.fromfile(
        str(REPO / 'configs/_base_/datasets/nus_lidarseg.py'))
    probe = cfg.val_dataloader.dataset
    assert probe.fit.pipeline[0] == cfg.train_dataloader.dataset.pipeline[0]
    for key in ('type', 'data_prefix', 'ignore_index', 'modality'):
        assert probe.held_out[key] == seg.val_dataloader.dataset[key], key
    labels = [t for t in probe.fit.pipeline if 'seg_3d_dtype' in t]
    assert labels[0]['seg_3d_dtype'] == seg.test_pipeline[1]['seg_3d_dtype']
    assert set(
        cfg.val_evaluator.head_classes) <= set(NUSCENES_LIDARSEG_CLASSES)
