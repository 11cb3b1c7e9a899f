# Linear probe of a DOS backbone on SemanticKITTI: the backbone is frozen
# (no gradients, BatchNorm in eval mode) and returns its four decoder levels
# up-cast to the input voxels (256 + 128 + 96 + 96 = 576 channels); the only
# trained layer is MinkUNetHead's nn.Linear. mmdet3d's SegMetric reports mIoU.
# For the random-initialisation probe: --cfg-options model.init_cfg=None
_base_ = ['./minkunet34_w32_spconv_dos_semantickitti.py']
model = dict(
    backbone=dict(type='FrozenUpcastMinkUNet'),
    decode_head=dict(channels=576))
