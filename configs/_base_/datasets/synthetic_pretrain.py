# Unlabelled pretraining on the synthetic street scans (SemanticKITTI
# layout, made by tools/generate_synthetic.py). Labels are never loaded:
# the pipeline reads points only. Class metadata comes from mmdet3d's
# SemanticKITTI config.
_base_ = ['mmdet3d::_base_/datasets/semantickitti.py']

dataset_type = 'SemanticKittiDataset'
data_root = 'data/synthetic/'

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4),
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]

train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='semantickitti_infos_train.pkl',
        metainfo={{_base_.metainfo}},
        pipeline=train_pipeline,
        test_mode=False))
# pretraining has no validation loop
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
