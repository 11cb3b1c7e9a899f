# One CenterPoint SparseEncoder pretrained with DOS on nuScenes and Waymo at
# once, on the grid of pretrain_waymo.py (+-75.2 m, voxel 0.1 x 0.1 x 0.15,
# 5 input channels): 60 % masking of 1 m blocks, K = 1024, alpha = 1.3.
# Fine-tune it with configs/centerpoint/centerpoint_voxel01_dos_waymo-3d.py.
#   tools/dist_train.sh configs/dos/pretrain_joint_outdoor.py 8
_base_ = [
    './pretrain_waymo.py',
    '../_base_/datasets/joint_outdoor_pretrain.py',
]
train_dataloader = {{_base_.joint_train_dataloader}}
