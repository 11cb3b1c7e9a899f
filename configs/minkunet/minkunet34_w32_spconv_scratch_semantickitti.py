# MinkUNet34 (spconv) on SemanticKITTI from random initialisation: mmdet3d's
# own config, with the voxelising data preprocessor replaced by one that runs
# on any device (mmdet3d's calls .cuda() in its MinkUNet voxeliser, which
# fails without a GPU); on a GPU both give the same voxels.
_base_ = [
    'mmdet3d::minkunet/'
    'minkunet34_w32_spconv_8xb2-laser-polar-mix-3x_semantickitti.py'
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
model = dict(data_preprocessor=dict(type='AnyDeviceDet3DDataPreprocessor'))
