# CenterPoint Waymo, sparse encoder initialised from DOS
# (configs/dos/pretrain_waymo.py converted with --target centerpoint).
_base_ = ['./centerpoint_voxel01_scratch_waymo-3d.py']
pretrained = 'checkpoints/dos_waymo_centerpoint.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='pts_middle_encoder'))
