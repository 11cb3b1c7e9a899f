# CenterPoint (voxel 0.1) on nuScenes from random initialisation: mmdet3d's
# own config, unchanged, as the baseline of the DOS-pretrained variant.
#   tools/dist_train.sh \
#       configs/centerpoint/centerpoint_voxel01_scratch_nus-3d.py 8
_base_ = [
    'mmdet3d::centerpoint/'
    'centerpoint_voxel01_second_secfpn_8xb4-cyclic-20e_nus-3d.py'
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
