# CenterPoint (voxel 0.1) on Waymo, sparse encoder initialised from DOS,
# with the pretrained-encoder fine-tuning recipe
# (configs/_base_/schedules/pretrained_encoder.py: encoder at 0.1x the rate,
# frozen for the first 5 % of the iterations; BatchNorm statistics
# recomputed before each evaluation). An option beside
# centerpoint_voxel01_dos_waymo-3d.py, which fine-tunes the encoder like the
# rest; docs/detection.md says what the synthetic benchmark measured for
# each recipe.
#   tools/dist_train.sh \
#       configs/centerpoint/centerpoint_voxel01_dos-ft_waymo-3d.py 8
_base_ = [
    './centerpoint_voxel01_dos_waymo-3d.py',
    '../_base_/schedules/pretrained_encoder.py',
]
optim_wrapper = dict(paramwise_cfg={{_base_.recipe_paramwise_cfg}})
param_scheduler = {{_base_.recipe_cyclic_20e}}
custom_hooks = {{_base_.recipe_cyclic_20e_hooks}}
