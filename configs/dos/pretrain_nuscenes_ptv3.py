# DOS pretraining of Point Transformer V3 on nuScenes key frames (x, y, z,
# intensity: the input of the nuScenes-lidarseg configs, as in
# pretrain_nuscenes_minkunet.py): 70 % masking of 1 m blocks,
# K = 1024, alpha = 1.3, 0.2 m loss cells on the 0.05 m grid.
#   tools/dist_train.sh configs/dos/pretrain_nuscenes_ptv3.py 8
_base_ = [
    '../_base_/models/dos_ptv3.py',
    '../_base_/datasets/nus_pretrain_keyframe.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(point_cloud_range=[-60, -60, -8, 60, 60, 8])))
