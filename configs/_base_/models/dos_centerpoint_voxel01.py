# DOS around the sparse encoder and voxel encoder of mmdet3d's CenterPoint
# nuScenes voxel-0.1 model, taken verbatim from mmdet3d's config, so that the
# pretrained weights load into its `pts_middle_encoder` unchanged. The
# voxeliser is written out (mmdet3d's model base leaves the range to the
# full config); tests/test_configs checks it equals CenterPoint's.
_base_ = [
    'mmdet3d::_base_/models/centerpoint_voxel01_second_secfpn_nus.py',
    './dos_head.py'
]

model = dict(
    _delete_=True,
    type='DOS',
    data_preprocessor=dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='hard',
        voxel_layer=dict(
            max_num_points=10,
            voxel_size=[0.1, 0.1, 0.2],
            point_cloud_range=[-51.2, -51.2, -5.0, 51.2, 51.2, 3.0],
            max_voxels=(90000, 120000))),
    encoder=dict(
        voxel_encoder={{_base_.model.pts_voxel_encoder}},
        backbone={{_base_.model.pts_middle_encoder}},
        neck=dict(type='UpcastNeck'),
        # SparseEncoder (basicblock) levels: 32 @ s2, 64 @ s4, 128 @ s8,
        # 128 @ s8, conv_out 128: 480 channels at the stride-2 (0.2 m) cells
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=2048,
            out_channels=256,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=0),
    head={{_base_.dos_head}})
# scheduled values (tau_T, alpha, teacher momentum, 60 % of 1 m blocks
# hidden): the defaults of dos_mm.functional.dos_schedule
