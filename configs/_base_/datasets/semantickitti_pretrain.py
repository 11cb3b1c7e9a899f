# SemanticKITTI LiDAR for pretraining (data/semantickitti, mmdet3d's info
# files). Points only: labels are never loaded. Class metadata comes from
# mmdet3d's SemanticKITTI config.
_base_ = ['mmdet3d::_base_/datasets/semantickitti.py']

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4),
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]

train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SemanticKittiDataset',
        data_root='data/semantickitti/',
        ann_file='semantickitti_infos_train.pkl',
        metainfo={{_base_.metainfo}},
        pipeline=train_pipeline,
        test_mode=False))
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
