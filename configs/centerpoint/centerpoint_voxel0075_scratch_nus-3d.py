# CenterPoint (voxel 0.075) on nuScenes from random initialisation: mmdet3d's
# own config, unchanged.
_base_ = [
    'mmdet3d::centerpoint/'
    'centerpoint_voxel0075_second_secfpn_8xb4-cyclic-20e_nus-3d.py'
]
custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
