"""NuScenesSegDataset reads an mmdet3d nuScenes info file with lidarseg
label paths through the nuScenes-lidarseg config's own pipeline."""
import pickle

import numpy as np
from mmdet3d.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.datasets.nuscenes_seg_dataset import (IGNORE_INDEX,
                                                  NUSCENES_LIDARSEG_LABEL_MAP,
                                                  NuScenesSegDataset)
from ..conftest import REPO


def test_label_map_is_the_16_class_benchmark():
    mapped = set(NUSCENES_LIDARSEG_LABEL_MAP.values())
    assert mapped == set(range(17))  # 16 classes + ignore
    assert NUSCENES_LIDARSEG_LABEL_MAP[17] == 3  # vehicle.car -> car
    assert NUSCENES_LIDARSEG_LABEL_MAP[0] == IGNORE_INDEX  # noise
    assert NUSCENES_LIDARSEG_LABEL_MAP[31] == IGNORE_INDEX  # ego vehicle
    assert NUSCENES_LIDARSEG_LABEL_MAP[30] == 15  # vegetation


def write_scan(root, n=2000, seed=0):
    """One nuScenes sweep (5 floats per point) and its uint8 lidarseg file,
    with an info file as mmdet3d's converter writes it."""
    rng = np.random.default_rng(seed)
    (root / 'samples/LIDAR_TOP').mkdir(parents=True)
    (root / 'lidarseg/v1.0-trainval').mkdir(parents=True)
    pts = np.c_[rng.uniform(-30, 30, (n, 3)), rng.uniform(0, 1, (n, 2))]
    pts.astype(np.float32).tofile(root / 'samples/LIDAR_TOP/a.pcd.bin')
    raw = rng.integers(0, 32, n).astype(np.uint8)
    raw.tofile(root / 'lidarseg/v1.0-trainval/tok_lidarseg.bin')
    info = dict(
        metainfo=dict(version='v1.0-trainval'),
        data_list=[
            dict(
                sample_idx=0,
                token='tok',
                lidar_points=dict(lidar_path='a.pcd.bin', num_pts_feats=5),
                pts_semantic_mask_path='tok_lidarseg.bin')
        ])
    with open(root / 'nuscenes_infos_train.pkl', 'wb') as f:
        pickle.dump(info, f)
    return raw


def test_config_pipeline_maps_raw_labels(tmp_path):
    init_default_scope('mmdet3d')
    raw = write_scan(tmp_path)
    cfg = Config.fromfile(
        str(REPO / 'configs/minkunet/'
            'minkunet34_w32_spconv_scratch_nus-lidarseg.py'))
    ds_cfg = cfg.val_dataloader.dataset
    ds_cfg.update(
        data_root=str(tmp_path) + '/', ann_file='nuscenes_infos_train.pkl')
    dataset = DATASETS.build(ds_cfg)
    assert isinstance(dataset, NuScenesSegDataset)
    sample = dataset[0]
    points = sample['inputs']['points']
    labels = sample['data_samples'].gt_pts_seg.pts_semantic_mask
    assert points.shape == (2000, 4)  # x, y, z, intensity
    expected = np.array([NUSCENES_LIDARSEG_LABEL_MAP[r] for r in raw])
    np.testing.assert_array_equal(np.asarray(labels), expected)
