# Linear probe (frozen DOS backbone, one nn.Linear) on nuScenes-lidarseg.
_base_ = ['./minkunet34_w32_spconv_dos_nus-lidarseg.py']
model = dict(
    backbone=dict(type='FrozenUpcastMinkUNet'),
    decode_head=dict(channels=576))
