# The demo's small CenterPoint-style sparse encoder and its voxel grid,
# shared by the DOS pretraining (configs/dos/pretrain_demo.py) and the
# CenterPoint detectors fine-tuned from it
# (configs/centerpoint/centerpoint_voxel01_*_synthetic-3d.py), so that the
# pretrained weights fit the detector as they are.
demo_voxel_size = [0.1, 0.1, 0.2]
demo_point_cloud_range = [-51.2, -51.2, -3.0, 51.2, 51.2, 5.0]
# their x, y parts, for detection heads (a leaf config cannot slice a base
# variable)
demo_voxel_size_xy = demo_voxel_size[:2]
demo_point_cloud_range_xy = demo_point_cloud_range[:2]
demo_voxel_layer = dict(
    max_num_points=10,
    voxel_size=demo_voxel_size,
    point_cloud_range=demo_point_cloud_range,
    max_voxels=(60000, 60000))
demo_encoder = dict(
    type='SparseEncoder',
    in_channels=4,
    sparse_shape=[41, 1024, 1024],
    base_channels=16,
    output_channels=128,
    order=('conv', 'norm', 'act'),
    encoder_channels=((16, ), (32, 32), (64, 64), (128, 128)),
    encoder_paddings=((1, ), (1, 1), (1, 1), ((0, 1, 1), 1)),
    block_type='conv_module')
