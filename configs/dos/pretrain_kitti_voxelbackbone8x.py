# DOS pretraining of SECOND's sparse encoder (mmdet3d's default
# SparseEncoder = OpenPCDet's VoxelBackBone8x) on KITTI LiDAR: 4-dim points,
# voxel 0.05 x 0.05 x 0.1 over [0, 70.4] x [-40, 40] x [-3, 1] m (SECOND's
# and OpenPCDet's KITTI grid), 60 % masking of 1 m blocks, K = 1024,
# alpha = 1.3, 0.2 m loss cells. Fits OpenPCDet's second.yaml,
# pv_rcnn.yaml and their kin (tools/convert_checkpoint.py --target
# openpcdet --input-channels 4).
#   python tools/train.py configs/dos/pretrain_kitti_voxelbackbone8x.py
_base_ = [
    '../_base_/models/dos_second_voxelbackbone8x.py',
    '../_base_/datasets/kitti_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]
