# DOS pretraining of MinkUNet34 (spconv) on nuScenes key frames (x, y, z,
# intensity: the input of the nuScenes-lidarseg MinkUNet configs), 70 %
# masking of 1 m blocks, K = 1024, alpha = 1.3.
#   tools/dist_train.sh configs/dos/pretrain_nuscenes_minkunet.py 8
_base_ = [
    '../_base_/models/dos_minkunet.py',
    '../_base_/datasets/nus_pretrain_keyframe.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(point_cloud_range=[-60, -60, -8, 60, 60, 8])),
    encoder=dict(
        backbone=dict(encoder_blocks=[2, 3, 4, 6],
                      sparseconv_backend='spconv')))
