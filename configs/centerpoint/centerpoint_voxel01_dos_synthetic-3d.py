# CenterPoint on the synthetic scans, sparse encoder initialised from the
# demo's DOS pretraining (what `make demo` runs):
#   python tools/train.py configs/dos/pretrain_demo.py \
#       --work-dir work_dirs/pretrain_demo
#   python tools/convert_checkpoint.py work_dirs/pretrain_demo/iter_400.pth \
#       checkpoints/dos_synthetic_centerpoint.pth --target centerpoint
#   python tools/train.py \
#       configs/centerpoint/centerpoint_voxel01_dos_synthetic-3d.py
_base_ = ['./centerpoint_voxel01_scratch_synthetic-3d.py']
pretrained = 'checkpoints/dos_synthetic_centerpoint.pth'
model = dict(
    init_cfg=dict(
        type='BackbonePretrained',
        checkpoint=pretrained,
        prefix='pts_middle_encoder'))
