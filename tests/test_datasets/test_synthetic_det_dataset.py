"""SyntheticDetDataset reads the generator's boxes as mmdet3d's Det3D data."""
import copy
import pickle

import numpy as np
import pytest
import torch
from mmdet3d.registry import DATASETS
from mmengine.registry import init_default_scope

from dos_mm.datasets.synthetic import DETECTION_CLASSES
from dos_mm.datasets.synthetic.classes import BY_RAW_ID

PIPELINE = [
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=4, use_dim=4),
    dict(type='LoadAnnotations3D', with_bbox_3d=True, with_label_3d=True),
    dict(
        type='Pack3DDetInputs',
        keys=['points', 'gt_bboxes_3d', 'gt_labels_3d'])
]


def _dataset(root, ann_file='semantickitti_infos_train.pkl', **kwargs):
    init_default_scope('mmdet3d')
    return DATASETS.build(
        dict(
            type='SyntheticDetDataset',
            data_root=str(root),
            ann_file=ann_file,
            data_prefix=dict(pts=''),
            pipeline=PIPELINE,
            filter_empty_gt=False,
            **kwargs))


def _infos(root):
    with open(root / 'semantickitti_infos_train.pkl', 'rb') as f:
        return pickle.load(f)


def test_boxes_labels_and_points_are_the_generators(synthetic_root):
    dataset = _dataset(synthetic_root)
    infos = _infos(synthetic_root)['data_list']
    assert len(dataset) == len(infos)
    assert dataset.metainfo['classes'] == DETECTION_CLASSES
    for i, info in enumerate(infos):
        kept = [
            inst for inst in info['instances']
            if BY_RAW_ID[inst['bbox_label_3d']].detection
            and inst['num_lidar_pts'] >= 1
        ]
        sample = dataset[i]['data_samples'].gt_instances_3d
        assert len(sample.labels_3d) == len(kept)
        names = [DETECTION_CLASSES[int(v)] for v in sample.labels_3d]
        assert names == [
            BY_RAW_ID[inst['bbox_label_3d']].detection for inst in kept
        ]
        expected = torch.tensor([inst['bbox_3d'] for inst in kept])
        boxes = sample.bboxes_3d
        torch.testing.assert_close(boxes.tensor[:, :7], expected.float())
        # bottom-centred LiDAR boxes: z is the bottom
        torch.testing.assert_close(boxes.bottom_height, expected[:, 2].float())


def test_min_points_drops_boxes_without_returns(synthetic_root):
    all_boxes = _dataset(synthetic_root, min_points=0)
    with_points = _dataset(synthetic_root, min_points=1)
    n0 = sum(
        len(all_boxes[i]['data_samples'].gt_instances_3d.labels_3d)
        for i in range(len(all_boxes)))
    n1 = sum(
        len(with_points[i]['data_samples'].gt_instances_3d.labels_3d)
        for i in range(len(with_points)))
    assert n0 > n1 > 0


def test_scan_without_boxes_is_kept(synthetic_root, tmp_path):
    infos = copy.deepcopy(_infos(synthetic_root))
    infos['data_list'][0]['instances'] = []
    path = tmp_path / 'no_boxes.pkl'
    with open(path, 'wb') as f:
        pickle.dump(infos, f)
    dataset = _dataset(synthetic_root, ann_file=str(path))
    sample = dataset[0]
    assert sample is not None
    assert len(sample['data_samples'].gt_instances_3d.labels_3d) == 0


def test_unknown_class_id_names_the_file(synthetic_root, tmp_path):
    infos = copy.deepcopy(_infos(synthetic_root))
    infos['data_list'][0]['instances'][0]['bbox_label_3d'] = 999
    path = tmp_path / 'bad.pkl'
    with open(path, 'wb') as f:
        pickle.dump(infos, f)
    with pytest.raises(ValueError, match=r'bad\.pkl.*unknown class id 999'):
        _dataset(synthetic_root, ann_file=str(path))[0]


def test_config_classes_subset_drops_the_others(synthetic_root):
    dataset = _dataset(synthetic_root, metainfo=dict(classes=['car']))
    labels = np.concatenate([
        dataset[i]['data_samples'].gt_instances_3d.labels_3d.numpy()
        for i in range(len(dataset))
    ])
    assert len(labels) > 0 and (labels == 0).all()
