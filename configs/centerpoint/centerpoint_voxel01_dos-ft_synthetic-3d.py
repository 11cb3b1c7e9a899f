# The pretrained-encoder fine-tuning recipe on the synthetic scans
# (configs/_base_/schedules/pretrained_encoder.py: the DOS-initialised
# encoder at 0.1x the rate of the rest, frozen while the random 2D backbone
# and head warm up for the first 5 % of the iterations); otherwise the
# scratch schedule, whose cosine ends at a ratio of each group's rate, so
# the multiplier holds to the last step.
_base_ = [
    './centerpoint_voxel01_dos_synthetic-3d.py',
    '../_base_/schedules/pretrained_encoder.py',
]
optim_wrapper = dict(paramwise_cfg={{_base_.recipe_paramwise_cfg}})
custom_hooks = [
    dict(type='PreciseBNHook', num_batches={{_base_.precise_bn_batches}}),
    {{_base_.recipe_freeze_hook}},
]
