# CenterPoint (voxel 0.1 x 0.1 x 0.15) on Waymo (KITTI-format infos of
# mmdet3d, one frame in five, 3 classes), from random initialisation.
# mmdet3d ships no CenterPoint Waymo config: this one is the nuScenes model
# on the grid of configs/dos/pretrain_waymo.py (+-75.2 m, 5-dim points), one
# head task per class, and PadBoxVelocity because mmdet3d's CenterHead
# expects 9-dim boxes (velocity weight 0).
_base_ = [
    'mmdet3d::_base_/datasets/waymoD5-3d-3class.py',
    'mmdet3d::_base_/models/centerpoint_voxel01_second_secfpn_nus.py',
    'mmdet3d::_base_/schedules/cyclic-20e.py',
    'mmdet3d::_base_/default_runtime.py',
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)

voxel_size = [0.1, 0.1, 0.15]
point_cloud_range = [-75.2, -75.2, -2.0, 75.2, 75.2, 4.0]
class_names = ['Car', 'Pedestrian', 'Cyclist']
post_range = [-80.0, -80.0, -10.0, 80.0, 80.0, 10.0]

model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            voxel_size=voxel_size,
            point_cloud_range=point_cloud_range,
            max_voxels=(150000, 150000))),
    pts_voxel_encoder=dict(num_features=5),
    pts_middle_encoder=dict(in_channels=5, sparse_shape=[41, 1504, 1504]),
    pts_bbox_head=dict(
        tasks=[
            dict(num_class=1, class_names=['Car']),
            dict(num_class=1, class_names=['Pedestrian']),
            dict(num_class=1, class_names=['Cyclist']),
        ],
        bbox_coder=dict(
            pc_range=point_cloud_range[:2],
            post_center_range=post_range,
            voxel_size=voxel_size[:2])),
    train_cfg=dict(
        pts=dict(
            grid_size=[1504, 1504, 40],
            voxel_size=voxel_size,
            point_cloud_range=point_cloud_range,
            code_weights=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])),
    test_cfg=dict(
        pts=dict(
            pc_range=point_cloud_range[:2],
            post_center_limit_range=post_range,
            min_radius=[4, 0.175, 0.85],
            voxel_size=voxel_size[:2])))

backend_args = None
train_pipeline = [
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=6,
         use_dim=5, backend_args=backend_args),
    dict(type='LoadAnnotations3D', with_bbox_3d=True, with_label_3d=True),
    dict(type='PadBoxVelocity'),
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
    dict(type='LoadPointsFromFile', coord_type='LIDAR', load_dim=6,
         use_dim=5, backend_args=backend_args),
    dict(type='PointsRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='Pack3DDetInputs', keys=['points'],
         meta_keys=['box_type_3d', 'sample_idx', 'context_name',
                    'timestamp'])
]
train_dataloader = dict(
    batch_size=4, dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
