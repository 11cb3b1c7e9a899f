# Linear probe of a DOS PTv3 encoder on nuScenes-lidarseg: the encoder is
# frozen (no gradients, eval mode) and returns its five stages up-cast to the
# input voxels (48 + 96 + 192 + 384 + 512 = 1232 channels); the only
# trained layer is MinkUNetHead's nn.Linear. mmdet3d's SegMetric reports
# mIoU. For the random-initialisation probe: --cfg-options model.init_cfg=None
_base_ = ['./ptv3_dos_nus-lidarseg.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='FrozenUpcastPTv3',
        encoder={{_base_.ptv3_encoder}}),
    decode_head=dict(channels=1232))
