# The demo's pretraining: a small CenterPoint-style SparseEncoder on the
# synthetic street scans, sized for minutes on a 2-core CPU.
#   python tools/generate_synthetic.py --out data/synthetic
#   python tools/train.py configs/dos/pretrain_demo.py
_base_ = [
    '../_base_/models/demo_sparse_encoder.py',
    '../_base_/datasets/synthetic_pretrain_probe.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

num_prototypes = 512

model = dict(
    type='DOS',
    data_preprocessor=dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='hard',
        voxel_layer={{_base_.demo_voxel_layer}}),
    encoder=dict(
        voxel_encoder=dict(type='HardSimpleVFE', num_features=4),
        backbone={{_base_.demo_encoder}},
        neck=dict(type='UpcastNeck'),
        # levels: 16 @ s1 (pooled), 32 @ s2 (loss cells, 0.2 m),
        # 64 @ s4, 128 @ s8, conv_out 128 (up-cast): 368 channels
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=512,
            out_channels=128,
            num_prototypes=num_prototypes),
        loss_level=1),
    head=dict(
        type='DOSHead',
        target=dict(type='ZipfSinkhornTarget',
                    num_prototypes=num_prototypes, num_iters=3),
        loss=dict(type='SoftmapLoss', mode='softmap'),
        student_temp=0.1),
    # the rest of the schedule: dos_mm.functional.dos_schedule's defaults.
    # Momentum 0.98 -> 1.0 (not the 0.994 of the long schedules): over 400
    # steps a cosine from 0.994 leaves e^-1.2 = 30 % of the random
    # initialisation in the teacher that is probed; from 0.98, e^-4 = 2 %.
    schedule=dict(teacher_momentum=(0.98, 1.0), mask_ratio=0.7))

max_iters = 400
warmup_iters = 20
train_cfg = dict(max_iters=max_iters, val_interval=100)  # the online probe
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-5),
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay',
         by_epoch=False, begin=0, end=max_iters, T_max=max_iters,
         eta_min_ratio=5.0),  # 0.04 -> 0.2, the base's; norm/bias stay 0
]
auto_scale_lr = dict(enable=False)
default_hooks = dict(
    logger=dict(interval=10),
    # also keeps the checkpoint of the best online-probe mIoU
    checkpoint=dict(interval=100, max_keep_ckpts=2, save_best='probe/miou',
                    rule='greater'))
train_dataloader = dict(num_workers=1)
