# KITTI LiDAR for pretraining, in mmdet3d's layout (data/kitti, the v2
# kitti_infos_train.pkl of mmdet3d's `tools/create_data.py kitti`). Points
# only (x, y, z, reflectance): boxes are never loaded.
dataset_type = 'KittiDataset'
data_root = 'data/kitti/'
class_names = ['Pedestrian', 'Cyclist', 'Car']
backend_args = None

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4, backend_args=backend_args),
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
        ann_file='kitti_infos_train.pkl',
        data_prefix=dict(pts='training/velodyne'),
        metainfo=dict(classes=class_names),
        modality=dict(use_lidar=True, use_camera=False),
        pipeline=train_pipeline,
        box_type_3d='LiDAR',
        test_mode=False,
        filter_empty_gt=False,  # boxes are not loaded for pretraining
        backend_args=backend_args))

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Det3DLocalVisualizer', vis_backends=vis_backends,
                  name='visualizer')
