# The pretrained-encoder fine-tuning recipe: the DOS-initialised
# pts_middle_encoder learns at 0.1x the rate of the rest (the rule of
# Sonata's and Pointcept's fine-tuning configs) and stays frozen while the
# random 2D backbone and head warm up for the first 5 % of the iterations
# ("linear-probe-then-fine-tune"). A per-module lr_mult holds only with
# schedulers that end at ratios of each group's own rate (eta_min_ratio):
# mmdet3d's cyclic-20e states absolute eta_min values, which pull every
# group to the same rate (mmengine #1612, mmdet3d #3059), so its two cosines
# are restated here with ratios, the same schedule for the default group.
# The names are the recipe's own: a leaf config takes this file as a second
# base beside its detector (mmengine refuses a key that two bases define)
# and sets optim_wrapper.paramwise_cfg, param_scheduler and custom_hooks
# from them (recipe_cyclic_20e_hooks: the freeze and BatchNorm
# recomputation on 200 batches, for the real datasets' epochs).
# tests/test_configs_recipe.py steps the optimizer and schedulers of each
# such config through its whole schedule.
encoder_lr_mult = 0.1
encoder_frozen_ratio = 0.05
recipe_paramwise_cfg = dict(
    custom_keys=dict(pts_middle_encoder=dict(lr_mult=encoder_lr_mult)))
recipe_freeze_hook = dict(
    type='FreezeWarmupHook',
    module='pts_middle_encoder',
    ratio=encoder_frozen_ratio)
recipe_cyclic_20e = [
    dict(type='CosineAnnealingLR', T_max=8, eta_min_ratio=10, begin=0,
         end=8, by_epoch=True, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=12, eta_min_ratio=1e-4, begin=8,
         end=20, by_epoch=True, convert_to_iter_based=True),
    dict(type='CosineAnnealingMomentum', T_max=8, eta_min=0.85 / 0.95,
         begin=0, end=8, by_epoch=True, convert_to_iter_based=True),
    dict(type='CosineAnnealingMomentum', T_max=12, eta_min=1, begin=8,
         end=20, by_epoch=True, convert_to_iter_based=True),
]
recipe_cyclic_20e_hooks = [
    recipe_freeze_hook,
    dict(type='PreciseBNHook', num_batches=200),
]
