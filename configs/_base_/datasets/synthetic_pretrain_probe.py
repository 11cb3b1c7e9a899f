# The online probe of a pretraining run on the synthetic scans
# (OnlineProbeMetric): every val_interval iterations the teacher's features
# of labelled scans are read in mmengine's validation loop; a linear probe
# is fitted on the first 10 training scans (the generator draws scans
# independently, so these are a random 10) and scored on the first 16
# validation scans, and the prototypes are read as a segmentation. Labels
# are read here only: the pretraining pipeline never loads them.
# Use this base instead of synthetic_pretrain.py and set
# train_cfg.val_interval.
_base_ = ['./synthetic_pretrain.py', './semantickitti_probe_pipeline.py']

probe_scans = dict(
    type='SyntheticSegDataset', data_root={{_base_.data_root}},
    pipeline={{_base_.probe_pipeline}}, test_mode=True)
val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=1,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ProbeSplits',
        fit=dict(probe_scans, ann_file='semantickitti_infos_train.pkl',
                 indices=10),
        held_out=dict(probe_scans, ann_file='semantickitti_infos_val.pkl',
                      indices=16)))
val_evaluator = dict(
    _delete_=True,
    type='OnlineProbeMetric',
    # the synthetic classes over 3 % of the points each
    head_classes=['road', 'sidewalk', 'terrain', 'building', 'vegetation',
                  'car'],
    # fewer fitted points than the benchmarks' probe (10 000 per scan),
    # to keep an evaluation near a tenth of the pretraining time (docs/)
    fit_points_per_scan=3000,
    score_points_per_scan=10000)
val_cfg = dict(type='ValLoop')
