# Waymo LiDAR for pretraining, in mmdet3d's converted KITTI-format layout
# (data/waymo/kitti_format, waymo_infos_train.pkl). Points are stored with
# 6 dims (x, y, z, intensity, elongation, timestamp); the first 5 are used.
dataset_type = 'WaymoDataset'
data_root = 'data/waymo/kitti_format/'
class_names = ['Car', 'Pedestrian', 'Cyclist']
backend_args = None

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=6,
         use_dim=5, backend_args=backend_args),
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]

train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='waymo_infos_train.pkl',
        data_prefix=dict(pts='training/velodyne', sweeps='training/velodyne'),
        metainfo=dict(classes=class_names),
        modality=dict(use_lidar=True, use_camera=False),
        pipeline=train_pipeline,
        box_type_3d='LiDAR',
        test_mode=False,
        filter_empty_gt=False,  # boxes are not loaded for pretraining
        load_interval=5,
        backend_args=backend_args))

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Det3DLocalVisualizer', vis_backends=vis_backends,
                  name='visualizer')
