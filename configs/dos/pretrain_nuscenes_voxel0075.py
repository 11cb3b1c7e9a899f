# DOS pretraining of the CenterPoint sparse encoder on nuScenes on the 0.075 m
# grid of CenterPoint voxel0075 (+-54 m, sparse shape 41 x 1440 x 1440), for
# configs/centerpoint/centerpoint_voxel0075_dos_nus-3d.py.
_base_ = ['./pretrain_nuscenes.py']
point_cloud_range = [-54.0, -54.0, -5.0, 54.0, 54.0, 3.0]
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            voxel_size=[0.075, 0.075, 0.2],
            point_cloud_range=point_cloud_range)),
    encoder=dict(backbone=dict(sparse_shape=[41, 1440, 1440])))
