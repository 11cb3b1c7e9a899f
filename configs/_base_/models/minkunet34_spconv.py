# mmdet3d's MinkUNet as MinkUNet34 w32 on spconv (the model of its
# minkunet34_w32_spconv_* SemanticKITTI config), voxelised on any device
# (mmdet3d's MinkUNet voxeliser calls .cuda(), which fails without a GPU).
# Datasets set in_channels, the voxel grid and the classes.
_base_ = ['mmdet3d::_base_/models/minkunet.py']
model = dict(
    data_preprocessor=dict(
        type='AnyDeviceDet3DDataPreprocessor',
        batch_first=True,
        max_voxels=None),
    backbone=dict(encoder_blocks=[2, 3, 4, 6], sparseconv_backend='spconv'))
