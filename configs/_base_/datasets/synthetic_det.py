# The synthetic scans (data/synthetic, the folder the demo's pretraining
# reads) as a 3D detection dataset: the generator's boxes of the nuScenes
# detection classes, bottom-centred in the LiDAR frame. No GT-paste and no
# class-balanced sampling (the protocol of label-efficient LiDAR SSL).
# Splits: train (labelled subsets of it come from the label-split tool),
# val (the detection protocol's calibration split) and test (scored once the
# protocol is fixed; tools/generate_synthetic.py --num-test). The x-y range
# is the detectors' (demo_det_point_cloud_range).
_base_ = ['../models/demo_sparse_encoder.py']
dataset_type = 'SyntheticDetDataset'
data_root = 'data/synthetic/'
class_names = [
    'car', 'truck', 'bus', 'motorcycle', 'bicycle', 'pedestrian',
    'traffic_cone', 'barrier'
]
metainfo = dict(classes=class_names)
point_cloud_range = {{_base_.demo_det_point_cloud_range}}
backend_args = None

train_pipeline = [
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4, backend_args=backend_args),
    dict(type='LoadAnnotations3D', with_bbox_3d=True, with_label_3d=True),
    dict(type='PadBoxVelocity'),  # CenterHead reads 9-dim boxes
    dict(type='RandomFlip3D', sync_2d=False, flip_ratio_bev_horizontal=0.5,
         flip_ratio_bev_vertical=0.5),
    dict(type='GlobalRotScaleTrans', rot_range=[-0.78539816, 0.78539816],
         scale_ratio_range=[0.95, 1.05]),
    dict(type='PointsRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='ObjectRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='ObjectNameFilter', classes=class_names),
    dict(type='PointShuffle'),
    dict(type='Pack3DDetInputs',
         keys=['points', 'gt_bboxes_3d', 'gt_labels_3d'])
]
test_pipeline = [
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4, backend_args=backend_args),
    dict(type='PointsRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='Pack3DDetInputs', keys=['points'])
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),  # iteration-based
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='semantickitti_infos_train.pkl',
        data_prefix=dict(pts=''),  # info paths are relative to data_root
        metainfo=metainfo,
        pipeline=train_pipeline,
        filter_empty_gt=False,  # a scan without boxes still trains
        test_mode=False,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='semantickitti_infos_val.pkl',
        data_prefix=dict(pts=''),
        metainfo=metainfo,
        pipeline=test_pipeline,
        test_mode=True,
        backend_args=backend_args))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'],
                 ann_file='semantickitti_infos_test.pkl'))
# nuScenes' AP by centre distance (0.5 / 1 / 2 / 4 m), boxes within the
# range's inscribed circle
val_evaluator = dict(
    type='CenterDistanceAPMetric', max_range={{_base_.demo_det_max_range}})
test_evaluator = val_evaluator

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Det3DLocalVisualizer', vis_backends=vis_backends,
                  name='visualizer')
