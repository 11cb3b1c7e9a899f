# ScanNet scenes for pretraining, with colour (x, y, z, r, g, b), in
# mmdet3d's layout (data/scannet, scannet_infos_train.pkl). Points only.
_base_ = ['mmdet3d::_base_/datasets/scannet-seg.py']

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='DEPTH',
         shift_height=False, use_color=True, load_dim=6,
         use_dim=[0, 1, 2, 3, 4, 5]),
    dict(type='NormalizePointsColor', color_mean=None),
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]

train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='ScanNetSegDataset',
        data_root='data/scannet/',
        ann_file='scannet_infos_train.pkl',
        metainfo={{_base_.metainfo}},
        data_prefix=dict(pts='points', pts_instance_mask='instance_mask',
                         pts_semantic_mask='semantic_mask'),
        pipeline=train_pipeline,
        # mmdet3d's ScanNet segmentation training needs its resampled scene
        # list (made by its data preparation)
        scene_idxs='data/scannet/seg_info/train_resampled_scene_idxs.npy',
        test_mode=False))
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
