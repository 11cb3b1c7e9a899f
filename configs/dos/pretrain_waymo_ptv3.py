# DOS pretraining of Point Transformer V3 on Waymo LiDAR (x, y, z,
# intensity, elongation): 70 % masking of 1 m blocks, K = 1024,
# alpha = 1.3, 0.2 m loss cells on the 0.05 m grid over +-75.2 m.
#   tools/dist_train.sh configs/dos/pretrain_waymo_ptv3.py 8
_base_ = [
    '../_base_/models/dos_ptv3.py',
    '../_base_/datasets/waymo_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(point_cloud_range=[-75.2, -75.2, -2, 75.2, 75.2,
                                            4])),
    encoder=dict(backbone=dict(in_channels=5)))
