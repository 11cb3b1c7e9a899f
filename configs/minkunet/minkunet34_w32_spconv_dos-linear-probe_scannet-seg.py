# Linear probe (frozen DOS backbone, one nn.Linear) on ScanNet.
_base_ = ['./minkunet34_w32_spconv_dos_scannet-seg.py']
model = dict(
    backbone=dict(type='FrozenUpcastMinkUNet'),
    decode_head=dict(channels=576))
