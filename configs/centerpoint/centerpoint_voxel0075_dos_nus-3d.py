# CenterPoint (voxel 0.075) on nuScenes, sparse encoder initialised from a
# DOS run on the same 0.075 m grid (configs/dos/pretrain_nuscenes_voxel0075.py)
# converted with --target centerpoint.
_base_ = ['./centerpoint_voxel0075_scratch_nus-3d.py']
pretrained = 'checkpoints/dos_nuscenes_voxel0075_centerpoint.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='pts_middle_encoder'))
