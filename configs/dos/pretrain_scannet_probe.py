# pretrain_scannet.py with the online probe (OnlineProbeMetric): every
# 5 000 iterations, and at iteration 0 (the random initialisation), a
# linear probe on the teacher's features is fitted on the scenes of a 10 %
# label split of the training scenes and scored on 50 validation scenes;
# the prototypes are read as a segmentation; the best checkpoint by probe
# mIoU is kept. The pretraining itself is unchanged. Make the split first:
#   python tools/make_label_splits.py \
#       data/scannet/scannet_infos_train.pkl --fractions 0.1
#   tools/dist_train.sh configs/dos/pretrain_scannet_probe.py 8
_base_ = ['./pretrain_scannet.py']

# the pretraining's input (colour scaled to [0, 1]) with its point labels
probe_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='DEPTH',
         shift_height=False, use_color=True, load_dim=6,
         use_dim=[0, 1, 2, 3, 4, 5]),
    dict(type='LoadAnnotations3D', with_bbox_3d=False, with_label_3d=False,
         with_mask_3d=False, with_seg_3d=True),
    dict(type='NormalizePointsColor', color_mean=None),
    dict(type='PointSegClassMapping'),
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'],
         meta_keys=['lidar_path', 'sample_idx']),
]
probe_scans = dict(
    type='ScanNetSegDataset', data_root='data/scannet/',
    metainfo={{_base_.metainfo}},
    data_prefix=dict(pts='points', pts_instance_mask='instance_mask',
                     pts_semantic_mask='semantic_mask'),
    pipeline=probe_pipeline, test_mode=True)
val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ProbeSplits',
        fit=dict(probe_scans, ann_file='scannet_infos_train_10pct_seed0.pkl'),
        held_out=dict(probe_scans, ann_file='scannet_infos_val.pkl',
                      indices=50)))
# no head / tail split: this project has measured no class frequencies of
# ScanNet's 20 classes to split them by
val_evaluator = dict(
    _delete_=True, type='OnlineProbeMetric', score_points_per_scan=2000)
val_cfg = dict(type='ValLoop')
train_cfg = dict(val_interval=5000)
default_hooks = dict(
    checkpoint=dict(save_best='probe/miou', rule='greater'))
