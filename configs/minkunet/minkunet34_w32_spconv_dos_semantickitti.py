# MinkUNet34 (spconv) on SemanticKITTI, backbone initialised from DOS:
#   python tools/train.py configs/dos/pretrain_semantickitti.py
#   python tools/convert_checkpoint.py \
#       work_dirs/pretrain_semantickitti/iter_N.pth \
#       checkpoints/dos_semantickitti_minkunet.pth --target minkunet
#   tools/dist_train.sh \
#       configs/minkunet/minkunet34_w32_spconv_dos_semantickitti.py 8
_base_ = ['./minkunet34_w32_spconv_scratch_semantickitti.py']
pretrained = 'checkpoints/dos_semantickitti_minkunet.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained', checkpoint=pretrained, prefix='backbone'))
