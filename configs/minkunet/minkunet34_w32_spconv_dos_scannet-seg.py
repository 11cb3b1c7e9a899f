# MinkUNet34 on ScanNet, backbone initialised from DOS
# (configs/dos/pretrain_scannet.py, --target minkunet).
_base_ = ['./minkunet34_w32_spconv_scratch_scannet-seg.py']
pretrained = 'checkpoints/dos_scannet_minkunet.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained', checkpoint=pretrained, prefix='backbone'))
