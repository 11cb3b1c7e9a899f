# One CenterPoint SparseEncoder pretrained with DOS on nuScenes and Waymo at
# once, on the grid of pretrain_waymo.py (+-75.2 m, voxel 0.1 x 0.1 x 0.15,
# 5 input channels): 60 % masking of 1 m blocks, K = 1024, alpha = 1.3.
# Fine-tune it with configs/centerpoint/centerpoint_voxel01_dos_waymo-3d.py.
#   tools/dist_train.sh configs/dos/pretrain_joint_outdoor.py 8
_base_ = [
    '../_base_/models/dos_centerpoint_voxel01.py',
    '../_base_/datasets/joint_outdoor_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

point_cloud_range = [-75.2, -75.2, -2.0, 75.2, 75.2, 4.0]
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            voxel_size=[0.1, 0.1, 0.15],
            point_cloud_range=point_cloud_range,
            max_voxels=(150000, 150000))),
    encoder=dict(
        voxel_encoder=dict(num_features=5),
        backbone=dict(in_channels=5, sparse_shape=[41, 1504, 1504])))
