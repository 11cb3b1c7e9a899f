# pretrain_nuscenes_minkunet.py with the online probe (OnlineProbeMetric) on
# nuScenes-lidarseg labels: every 5 000 iterations, and at iteration 0 (the
# random initialisation), a linear probe on the teacher's features is
# fitted on a 1 % label split of the training key frames and scored on 200
# validation key frames; the prototypes are read as a segmentation; the best
# checkpoint by probe mIoU is kept. Needs the lidarseg tables in
# data/nuscenes (mmdet3d's converter then records each frame's label file)
# and the split:
#   python tools/make_label_splits.py \
#       data/nuscenes/nuscenes_infos_train.pkl --fractions 0.01
#   tools/dist_train.sh configs/dos/pretrain_nuscenes_minkunet_probe.py 8
_base_ = ['./pretrain_nuscenes_minkunet.py']

# the pretraining's input (x, y, z, intensity of the key frame) with its
# lidarseg labels, read as configs/_base_/datasets/nus_lidarseg.py does
probe_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=5,
         use_dim=4),
    dict(type='LoadAnnotations3D', with_bbox_3d=False, with_label_3d=False,
         with_seg_3d=True, seg_3d_dtype='np.uint8'),
    dict(type='PointSegClassMapping'),
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'],
         meta_keys=['lidar_path', 'sample_idx']),
]
probe_scans = dict(
    type='NuScenesSegDataset', data_root='data/nuscenes/',
    data_prefix=dict(pts='samples/LIDAR_TOP', img='', pts_instance_mask='',
                     pts_semantic_mask='lidarseg/v1.0-trainval'),
    modality=dict(use_lidar=True, use_camera=False), ignore_index=16,
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
        fit=dict(probe_scans, ann_file='nuscenes_infos_train_1pct_seed0.pkl'),
        held_out=dict(probe_scans, ann_file='nuscenes_infos_val.pkl',
                      indices=200)))
val_evaluator = dict(
    _delete_=True,
    type='OnlineProbeMetric',
    # the six largest classes by share of labelled points (nuScenes-lidarseg
    # statistics published with the dataset)
    head_classes=['driveable_surface', 'sidewalk', 'terrain', 'manmade',
                  'vegetation', 'car'],
    score_points_per_scan=2000)
val_cfg = dict(type='ValLoop')
train_cfg = dict(val_interval=5000)
default_hooks = dict(
    checkpoint=dict(save_best='probe/miou', rule='greater'))
