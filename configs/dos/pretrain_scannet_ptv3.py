# DOS pretraining of Point Transformer V3 on ScanNet with colour: 70 %
# masking of 0.4 m blocks (indoor setting of the paper), K = 1024,
# alpha = 1.3, 0.08 m loss cells (stride 4 of a 0.02 m voxel grid).
#   tools/dist_train.sh configs/dos/pretrain_scannet_ptv3.py 8
_base_ = [
    '../_base_/models/dos_ptv3.py',
    '../_base_/datasets/scannet_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(voxel_layer=dict(voxel_size=[0.02, 0.02, 0.02])),
    encoder=dict(backbone=dict(in_channels=6)),
    schedule=dict(block_size=0.4))  # mask_ratio 0.7: the MinkUNet base's
