# DOS around the sparse encoder and voxel encoder of mmdet3d's SECOND
# (KITTI) model, taken verbatim from mmdet3d's config: mmdet3d's default
# SparseEncoder, which is OpenPCDet's VoxelBackBone8x (SECOND, PV-RCNN,
# CenterPoint without ResNet), so the weights export to both
# (tools/convert_checkpoint.py --target centerpoint / openpcdet).
_base_ = [
    'mmdet3d::_base_/models/second_hv_secfpn_kitti.py',
    './dos_head.py'
]

model = dict(
    _delete_=True,
    type='DOS',
    data_preprocessor=dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='hard',
        voxel_layer={{_base_.model.data_preprocessor.voxel_layer}}),
    encoder=dict(
        voxel_encoder=dict(type='HardSimpleVFE', num_features=4),
        backbone={{_base_.model.middle_encoder}},
        neck=dict(type='UpcastNeck'),
        # SparseEncoder (conv_module) levels: 16 @ s1, 32 @ s2, 64 @ s4,
        # 64 @ s8, conv_out 128: 304 channels at the stride-4 cells
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=2048,
            out_channels=256,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=2),  # stride 4: 0.2 m cells on the 0.05 m grid
    head={{_base_.dos_head}})
# scheduled values (tau_T, alpha, teacher momentum, 60 % of 1 m blocks
# hidden): the defaults of dos_mm.functional.dos_schedule
