# DOS pretraining of MinkUNet34 (spconv) on SemanticKITTI scans: 70 %
# masking of 1 m blocks (segmentation setting of the paper), K = 1024,
# alpha = 1.3, 0.2 m loss cells on the 0.05 m voxel grid.
#   tools/dist_train.sh configs/dos/pretrain_semantickitti.py 8
_base_ = [
    '../_base_/models/dos_minkunet.py',
    '../_base_/datasets/semantickitti_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]

model = dict(
    encoder=dict(
        backbone=dict(encoder_blocks=[2, 3, 4, 6],
                      sparseconv_backend='spconv')))
