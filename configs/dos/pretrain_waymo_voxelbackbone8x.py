# DOS pretraining of mmdet3d's default SparseEncoder (= OpenPCDet's
# VoxelBackBone8x, as in OpenPCDet's Waymo centerpoint_without_resnet.yaml)
# on Waymo LiDAR: 5-dim points, voxel 0.1 x 0.1 x 0.15 over +-75.2 m (the
# grid of OpenPCDet's Waymo CenterPoint), 60 % masking of 1 m blocks,
# K = 1024, alpha = 1.3, 0.2 m loss cells (stride 2).
#   python tools/train.py configs/dos/pretrain_waymo_voxelbackbone8x.py
_base_ = [
    '../_base_/models/dos_second_voxelbackbone8x.py',
    '../_base_/datasets/waymo_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

point_cloud_range = [-75.2, -75.2, -2.0, 75.2, 75.2, 4.0]
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            max_num_points=5,
            voxel_size=[0.1, 0.1, 0.15],
            point_cloud_range=point_cloud_range,
            max_voxels=(150000, 150000))),
    encoder=dict(
        voxel_encoder=dict(num_features=5),
        backbone=dict(in_channels=5, sparse_shape=[41, 1504, 1504]),
        loss_level=1))  # stride 2: 0.2 m cells on the 0.1 m grid
