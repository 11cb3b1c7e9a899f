# nuScenes-lidarseg (16 classes) for point segmentation, read from mmdet3d's
# nuScenes info files (their converter records pts_semantic_mask_path when
# the lidarseg tables are in data/nuscenes). x, y, z, intensity of the key
# frame; labels are uint8 raw lidarseg indices mapped by NuScenesSegDataset.
dataset_type = 'NuScenesSegDataset'
data_root = 'data/nuscenes/'
backend_args = None
data_prefix = dict(
    pts='samples/LIDAR_TOP',
    img='',
    pts_instance_mask='',
    pts_semantic_mask='lidarseg/v1.0-trainval')

_load = [
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=5,
         use_dim=4, backend_args=backend_args),
    dict(type='LoadAnnotations3D', with_bbox_3d=False, with_label_3d=False,
         with_seg_3d=True, seg_3d_dtype='np.uint8',
         backend_args=backend_args),
    dict(type='PointSegClassMapping'),
]
train_pipeline = _load + [
    dict(type='RandomFlip3D', sync_2d=False, flip_ratio_bev_horizontal=0.5,
         flip_ratio_bev_vertical=0.5),
    dict(type='GlobalRotScaleTrans', rot_range=[-3.14159265, 3.14159265],
         scale_ratio_range=[0.95, 1.05], translation_std=[0.1, 0.1, 0.1]),
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'])
]
test_pipeline = _load + [
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'])
]

train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='nuscenes_infos_train.pkl',
        data_prefix=data_prefix,
        pipeline=train_pipeline,
        modality=dict(use_lidar=True, use_camera=False),
        ignore_index=16,
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
        ann_file='nuscenes_infos_val.pkl',
        data_prefix=data_prefix,
        pipeline=test_pipeline,
        modality=dict(use_lidar=True, use_camera=False),
        ignore_index=16,
        test_mode=True,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='SegMetric')
test_evaluator = val_evaluator
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='Det3DLocalVisualizer', vis_backends=vis_backends, name='visualizer')
