# DOS pretraining of CenterPoint's SparseEncoder (voxel 0.1) on nuScenes
# LiDAR: 60 % masking of 1 m blocks (detection setting of the paper),
# K = 1024, alpha = 1.3, 0.2 m loss cells.
#   tools/dist_train.sh configs/dos/pretrain_nuscenes.py 8
_base_ = [
    '../_base_/models/dos_centerpoint_voxel01.py',
    '../_base_/datasets/nus_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]
