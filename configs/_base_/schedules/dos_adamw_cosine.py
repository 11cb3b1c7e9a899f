# DOS optimisation (our defaults; the paper does not publish its recipe):
# AdamW, lr 2e-3 at total batch 16 (auto_scale_lr), weight decay 0.04 -> 0.2
# cosine, 5 % linear warm-up then cosine decay, gradient clipping 3.0.
max_iters = 50000
warmup_iters = 2500  # 5 % of max_iters; change both together
weight_decay = 0.04
final_weight_decay = 0.2

optim_wrapper = dict(
    # skips (and counts) steps with a non-finite loss or gradients; stops
    # after max_consecutive in a row. --amp switches to its AMP twin,
    # NonFiniteGuardAmpOptimWrapper (the loss scaler's skips are counted,
    # and the teacher does not move on them).
    type='NonFiniteGuardOptimWrapper',
    max_consecutive=20,
    constructor='StudentOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=weight_decay),
    clip_grad=dict(max_norm=3.0, norm_type=2),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
    # eta_min_ratio scales each parameter group's own weight decay, so the
    # norm and bias groups (decay 0 by paramwise_cfg) stay at 0; an absolute
    # eta_min would anneal them to it as well
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay',
         by_epoch=False, begin=0, end=max_iters, T_max=max_iters,
         eta_min_ratio=final_weight_decay / weight_decay),
]

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
auto_scale_lr = dict(enable=True, base_batch_size=16)

# The DOS schedules (tau_T, alpha, teacher momentum, mask size and ratio)
# are pure functions of (iteration, max_iters): their values are the
# model's `schedule` (dos_mm.functional.dos_schedule), applied before every
# iteration by DOSScheduleHook.
# InitialValidationHook: a run with a validation loop (the online probe)
# is also evaluated at iteration 0, the random initialisation.
custom_hooks = [
    dict(type='DOSScheduleHook'),
    dict(type='TeacherEMAHook'),
    dict(type='InitialValidationHook'),
]
