# DOS around mmdet3d's MinkUNet backbone (spconv backend) and its
# voxelisation (voxel_type='minkunet'), taken from mmdet3d's model config,
# so that the weights load into MinkUNet's `backbone` unchanged. Every
# decoder level (strides 8, 4, 2, 1) feeds the loss cells.
_base_ = [
    'mmdet3d::_base_/models/minkunet.py',
    './dos_head.py'
]

model = dict(
    _delete_=True,
    type='DOS',
    data_preprocessor=dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='minkunet',
        batch_first=True,
        voxel_layer={{_base_.model.data_preprocessor.voxel_layer}}),
    encoder=dict(
        backbone={{_base_.model.backbone}},
        neck=dict(type='UpcastNeck'),
        # decoder outputs 256 @ s8, 128 @ s4, 96 @ s2, 96 @ s1 = 576
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=2048,
            out_channels=256,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=1),  # stride 4: 0.2 m cells on the 0.05 m grid
    head={{_base_.dos_head}},
    # the paper's segmentation setting: 70 % of the 1 m blocks hidden; the
    # rest of the schedule is dos_mm.functional.dos_schedule's defaults
    schedule=dict(mask_ratio=0.7))
