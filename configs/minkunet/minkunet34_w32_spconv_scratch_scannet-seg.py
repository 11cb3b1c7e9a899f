# MinkUNet34 (spconv) on ScanNet semantic segmentation (20 classes, xyz +
# rgb, 2 cm voxels, whole scenes) from random initialisation. mmdet3d has no
# MinkUNet ScanNet config; data comes from its scannet-seg dataset config.
_base_ = [
    'mmdet3d::_base_/datasets/scannet-seg.py',
    '../_base_/models/minkunet34_spconv.py',
    'mmdet3d::_base_/schedules/seg-cosine-100e.py',
    'mmdet3d::_base_/default_runtime.py',
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            voxel_size=[0.02, 0.02, 0.02],
            point_cloud_range=[-20, -20, -5, 20, 20, 10])),
    backbone=dict(in_channels=6),
    decode_head=dict(num_classes=20, ignore_index=20))
_load = [
    dict(type='LoadPointsFromFile', coord_type='DEPTH', shift_height=False,
         use_color=True, load_dim=6, use_dim=[0, 1, 2, 3, 4, 5]),
    dict(type='LoadAnnotations3D', with_bbox_3d=False, with_label_3d=False,
         with_mask_3d=False, with_seg_3d=True),
    dict(type='PointSegClassMapping'),
    dict(type='NormalizePointsColor', color_mean=None),
]
train_pipeline = _load + [
    dict(type='GlobalRotScaleTrans', rot_range=[-3.14159265, 3.14159265],
         scale_ratio_range=[0.9, 1.1], translation_std=[0, 0, 0]),
    dict(type='RandomFlip3D', sync_2d=False, flip_ratio_bev_horizontal=0.5,
         flip_ratio_bev_vertical=0.5),
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'])
]
test_pipeline = _load + [
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'])
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
