# The floor of the frozen-encoder rows: a randomly initialised sparse
# encoder that never trains (FrozenSparseEncoder); only the 2D backbone,
# neck and head learn. Its BatchNorm statistics are computed on training
# batches before the first step and again before every evaluation, as for
# the frozen DOS encoder (centerpoint_voxel01_dos-frozen_synthetic-3d.py),
# so the two rows differ in the encoder's weights only.
_base_ = ['./centerpoint_voxel01_scratch_synthetic-3d.py']
model = dict(pts_middle_encoder=dict(type='FrozenSparseEncoder'))
custom_hooks = {{_base_.frozen_encoder_hooks}}
