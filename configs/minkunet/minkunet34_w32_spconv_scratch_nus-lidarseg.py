# MinkUNet34 (spconv) on nuScenes-lidarseg (16 classes) from random
# initialisation. mmdet3d has no nuScenes segmentation dataset; dos_mm's
# NuScenesSegDataset reads mmdet3d's nuScenes info files, whose converter
# records each scan's lidarseg label file.
_base_ = [
    '../_base_/datasets/nus_lidarseg.py',
    '../_base_/models/minkunet34_spconv.py',
    'mmdet3d::_base_/schedules/schedule-3x.py',
    'mmdet3d::_base_/default_runtime.py',
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(point_cloud_range=[-60, -60, -8, 60, 60, 8])),
    decode_head=dict(num_classes=16, ignore_index=16))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1))
