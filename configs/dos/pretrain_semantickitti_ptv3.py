# DOS pretraining of Point Transformer V3 (the paper's backbone) on
# SemanticKITTI scans: 70 % masking of 1 m blocks, K = 1024, alpha = 1.3,
# 0.2 m loss cells on the 0.05 m voxel grid.
#   tools/dist_train.sh configs/dos/pretrain_semantickitti_ptv3.py 8
_base_ = [
    '../_base_/models/dos_ptv3.py',
    '../_base_/datasets/semantickitti_pretrain.py',
    '../_base_/schedules/dos_adamw_cosine.py',
    '../_base_/default_runtime.py',
]
