# Point Transformer V3 on ScanNet, encoder initialised from DOS:
#   tools/dist_train.sh configs/dos/pretrain_scannet_ptv3.py 8
#   python tools/convert_checkpoint.py \
#       work_dirs/pretrain_scannet_ptv3/iter_N.pth \
#       checkpoints/dos_scannet_ptv3.pth --target ptv3
#   tools/dist_train.sh configs/ptv3/ptv3_dos_scannet-seg.py 8
_base_ = ['./ptv3_scratch_scannet-seg.py']
pretrained = 'checkpoints/dos_scannet_ptv3.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='backbone.encoder'))
