# PTv3 (encoder and dos_mm's light decoder) on nuScenes-lidarseg
# from random initialisation, in mmdet3d's MinkUNet segmentor: the data,
# voxel grid, head, schedule and SegMetric of the MinkUNet34 config.
_base_ = ['../minkunet/minkunet34_w32_spconv_scratch_nus-lidarseg.py']
ptv3_encoder = dict(in_channels=4)  # PointTransformerV3's arguments
model = dict(
    backbone=dict(
        _delete_=True,
        type='PTv3SegBackbone',
        channels=96,  # MinkUNetHead's channels
        encoder=ptv3_encoder))
