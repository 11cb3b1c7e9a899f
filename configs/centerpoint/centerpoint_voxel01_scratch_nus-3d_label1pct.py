# Label-efficient fine-tuning: 1 % of the nuScenes training scans
#   python tools/make_label_splits.py \
#       data/nuscenes/nuscenes_infos_train.pkl
_base_ = ['./centerpoint_voxel01_scratch_nus-3d.py']
train_dataloader = dict(dataset=dict(dataset=dict(
    ann_file='nuscenes_infos_train_1pct_seed0.pkl')))
