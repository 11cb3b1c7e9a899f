# The frozen-encoder row ("decoder probe"): the DOS-pretrained sparse
# encoder keeps its weights (FrozenSparseEncoder: no gradients, BatchNorm in
# eval mode while training); only the 2D backbone, neck and head train.
# Shows what the pretrained 3D features carry on their own. BatchNorm
# statistics are computed on training batches before the first step and
# before every evaluation, as for the frozen random encoder
# (centerpoint_voxel01_random-frozen_synthetic-3d.py).
_base_ = ['./centerpoint_voxel01_dos_synthetic-3d.py']
model = dict(pts_middle_encoder=dict(type='FrozenSparseEncoder'))
custom_hooks = {{_base_.frozen_encoder_hooks}}
