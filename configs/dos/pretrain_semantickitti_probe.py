# pretrain_semantickitti.py with the online probe (OnlineProbeMetric):
# every 5 000 iterations, and at iteration 0 (the random initialisation),
# a linear probe on the teacher's features is fitted on the scans of a 1 %
# label split of the training scans and scored on 200 scans of sequence 08;
# the prototypes are read as a segmentation; the best checkpoint by probe
# mIoU is kept. The pretraining itself is unchanged (labels are read by the
# probe only). Make the split first (once):
#   python tools/make_label_splits.py \
#       data/semantickitti/semantickitti_infos_train.pkl --fractions 0.01
#   tools/dist_train.sh configs/dos/pretrain_semantickitti_probe.py 8
_base_ = [
    './pretrain_semantickitti.py',
    '../_base_/datasets/semantickitti_probe_pipeline.py'
]

probe_scans = dict(
    type='SemanticKittiDataset', data_root='data/semantickitti/',
    metainfo={{_base_.metainfo}}, pipeline={{_base_.probe_pipeline}},
    test_mode=True)
val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ProbeSplits',
        fit=dict(probe_scans,
                 ann_file='semantickitti_infos_train_1pct_seed0.pkl'),
        held_out=dict(probe_scans, ann_file='semantickitti_infos_val.pkl',
                      indices=200)))
val_evaluator = dict(
    _delete_=True,
    type='OnlineProbeMetric',
    # mmdet3d's SemanticKITTI names ('terrian' is its spelling)
    head_classes=['road', 'sidewalk', 'building', 'vegetation', 'terrian',
                  'car'],
    # 2 000 sampled points of each of the 200 held-out scans: what the
    # first process gathers stays under 1 GB at a few hundred channels
    score_points_per_scan=2000)
val_cfg = dict(type='ValLoop')
train_cfg = dict(val_interval=5000)
default_hooks = dict(
    checkpoint=dict(save_best='probe/miou', rule='greater'))
