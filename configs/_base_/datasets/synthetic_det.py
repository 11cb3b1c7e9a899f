# The synthetic scans (data/synthetic, the folder the demo's pretraining
# reads) as a 3D detection dataset: the generator's boxes of the nuScenes
# detection classes, bottom-centred in the LiDAR frame. No GT-paste and no
# class-balanced sampling (the protocol of label-efficient LiDAR SSL).
dataset_type = 'SyntheticDetDataset'
data_root = 'data/synthetic/'
class_names = [
    'car', 'truck', 'bus', 'motorcycle', 'bicycle', 'pedestrian',
    'traffic_cone', 'barrier'
]
metainfo = dict(classes=class_names)
point_cloud_range = [-51.2, -51.2, -3.0, 51.2, 51.2, 5.0]
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
test_dataloader = val_dataloader
# nuScenes' AP by centre distance (0.5 / 1 / 2 / 4 m), boxes within 50 m
val_evaluator = dict(type='CenterDistanceAPMetric', max_range=50.0)
test_evaluator = val_evaluator

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Det3DLocalVisualizer', vis_backends=vis_backends,
                  name='visualizer')
