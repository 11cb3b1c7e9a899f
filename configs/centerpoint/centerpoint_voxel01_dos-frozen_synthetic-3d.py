# The frozen-encoder row: the DOS-pretrained sparse encoder stays as
# pretrained (FrozenSparseEncoder: no gradients, BatchNorm in eval mode);
# only the 2D backbone, neck and head train. Shows what the pretrained 3D
# features carry on their own.
_base_ = ['./centerpoint_voxel01_dos_synthetic-3d.py']
model = dict(pts_middle_encoder=dict(type='FrozenSparseEncoder'))
