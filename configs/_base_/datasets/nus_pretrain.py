# nuScenes LiDAR for pretraining: 10-sweep points (x, y, z, intensity,
# time lag), exactly CenterPoint's inputs. Follows mmdet3d's data layout
# (data/nuscenes, nuscenes_infos_train.pkl from tools/create_data.py).
# Labels are never loaded.
dataset_type = 'NuScenesDataset'
data_root = 'data/nuscenes/'
class_names = [
    'car', 'truck', 'construction_vehicle', 'bus', 'trailer', 'barrier',
    'motorcycle', 'bicycle', 'pedestrian', 'traffic_cone'
]
backend_args = None

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=5,
         use_dim=5, backend_args=backend_args),
    dict(type='LoadPointsFromMultiSweeps', sweeps_num=9,
         use_dim=[0, 1, 2, 3, 4], pad_empty_sweeps=True, remove_close=True,
         backend_args=backend_args),
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
        ann_file='nuscenes_infos_train.pkl',
        data_prefix=dict(pts='samples/LIDAR_TOP', img='',
                         sweeps='sweeps/LIDAR_TOP'),
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
