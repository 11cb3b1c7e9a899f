# Joint pretraining data: nuScenes (key frame + 9 sweeps) and Waymo (one
# frame in five), concatenated. Both give 5 channels: x, y, z, intensity on
# [0, 1] (nuScenes / 255, Waymo tanh as mmdet3d's norm_intensity) and a fifth
# channel that differs (nuScenes time lag, Waymo elongation). Labels are
# never loaded. Our choice: the paper pretrains per dataset. Used by
# configs/dos/pretrain_joint_outdoor.py as `train_dataloader`.
joint_views = [
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]
joint_nus_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=5,
         use_dim=5),
    dict(type='LoadPointsFromMultiSweeps', sweeps_num=9,
         use_dim=[0, 1, 2, 3, 4], pad_empty_sweeps=True, remove_close=True),
    dict(type='ScalePointChannels', scale=[1, 1, 1, 1 / 255, 1]),
] + joint_views
joint_waymo_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=6,
         use_dim=5, norm_intensity=True),
] + joint_views

joint_train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='ConcatDataset',
        # the parts' class lists and versions differ; pretraining uses none
        ignore_keys=['CLASSES', 'DATASET', 'classes', 'palette', 'version',
                     'dataset', 'info_version'],
        datasets=[
            dict(
                type='NuScenesDataset',
                data_root='data/nuscenes/',
                ann_file='nuscenes_infos_train.pkl',
                data_prefix=dict(pts='samples/LIDAR_TOP', img='',
                                 sweeps='sweeps/LIDAR_TOP'),
                modality=dict(use_lidar=True, use_camera=False),
                pipeline=joint_nus_pipeline,
                box_type_3d='LiDAR',
                filter_empty_gt=False),
            dict(
                type='WaymoDataset',
                data_root='data/waymo/kitti_format/',
                ann_file='waymo_infos_train.pkl',
                data_prefix=dict(pts='training/velodyne',
                                 sweeps='training/velodyne'),
                metainfo=dict(classes=['Car', 'Pedestrian', 'Cyclist']),
                modality=dict(use_lidar=True, use_camera=False),
                pipeline=joint_waymo_pipeline,
                box_type_3d='LiDAR',
                filter_empty_gt=False,
                load_interval=5),
        ]))
