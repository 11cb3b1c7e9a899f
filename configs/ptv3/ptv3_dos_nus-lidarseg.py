# Point Transformer V3 on nuScenes-lidarseg, encoder initialised from DOS:
#   tools/dist_train.sh configs/dos/pretrain_nuscenes_ptv3.py 8
#   python tools/convert_checkpoint.py \
#       work_dirs/pretrain_nuscenes_ptv3/iter_N.pth \
#       checkpoints/dos_nuscenes_ptv3.pth --target ptv3
#   tools/dist_train.sh configs/ptv3/ptv3_dos_nus-lidarseg.py 8
_base_ = ['./ptv3_scratch_nus-lidarseg.py']
pretrained = 'checkpoints/dos_nuscenes_ptv3.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='backbone.encoder'))
