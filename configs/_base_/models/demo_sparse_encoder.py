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

# The detectors' grid (configs/centerpoint/*_synthetic-3d.py): the same
# voxels over a smaller x-y extent, which makes a fine-tuning step about
# three times cheaper; the sparse encoder's weights do not depend on the
# extent, so the pretrained checkpoint loads as it is. Everything below is
# derived from the range and the voxel size.
demo_det_point_cloud_range = [-25.6, -25.6, -3.0, 25.6, 25.6, 5.0]
demo_det_range_xy = demo_det_point_cloud_range[:2]
demo_det_grid = [
    int(round((demo_det_point_cloud_range[i + 3] -
               demo_det_point_cloud_range[i]) / demo_voxel_size[i]))
    for i in range(3)
]
demo_det_voxel_layer = dict(
    demo_voxel_layer, point_cloud_range=demo_det_point_cloud_range)
demo_det_encoder = dict(
    demo_encoder,
    sparse_shape=[demo_det_grid[2] + 1, demo_det_grid[1], demo_det_grid[0]])
# boxes are kept up to 10 m beyond the range, as the nuScenes model does
demo_det_post_range = [
    demo_det_point_cloud_range[0] - 10, demo_det_point_cloud_range[1] - 10,
    -10.0, demo_det_point_cloud_range[3] + 10,
    demo_det_point_cloud_range[4] + 10, 10.0
]
# the metric scores boxes within the range's inscribed circle
demo_det_max_range = demo_det_point_cloud_range[3]
