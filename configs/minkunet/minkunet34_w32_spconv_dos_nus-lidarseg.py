# MinkUNet34 on nuScenes-lidarseg, backbone initialised from DOS
# (configs/dos/pretrain_nuscenes_minkunet.py, --target minkunet).
_base_ = ['./minkunet34_w32_spconv_scratch_nus-lidarseg.py']
pretrained = 'checkpoints/dos_nuscenes_minkunet.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained', checkpoint=pretrained, prefix='backbone'))
