# CenterPoint (voxel 0.1) on nuScenes, sparse encoder initialised from DOS:
#   python tools/train.py configs/dos/pretrain_nuscenes.py
#   python tools/convert_checkpoint.py work_dirs/pretrain_nuscenes/iter_N.pth \
#       checkpoints/dos_nuscenes_voxel01_centerpoint.pth --target centerpoint
#   tools/dist_train.sh configs/centerpoint/centerpoint_voxel01_dos_nus-3d.py 8
# BackbonePretrained fails before training unless every tensor of
# pts_middle_encoder loads (see dos_mm/models/weight_init).
_base_ = ['./centerpoint_voxel01_scratch_nus-3d.py']
pretrained = 'checkpoints/dos_nuscenes_voxel01_centerpoint.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='pts_middle_encoder'))
