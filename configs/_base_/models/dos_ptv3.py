# DOS around Point Transformer V3 (encoder only: the paper's backbone) on
# mmdet3d's MinkUNet voxelisation (0.05 m grid). Every stage (strides 1, 2,
# 4, 8, 16) feeds the loss cells; the sizes are the encoder of Sonata-style
# pretraining (PointTransformerV3's defaults).
_base_ = [
    'mmdet3d::_base_/models/minkunet.py',
    './dos_head.py'
]

ptv3_channels = (48, 96, 192, 384, 512)
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
        backbone=dict(
            type='PointTransformerV3', in_channels=4,
            channels=ptv3_channels),
        neck=dict(type='UpcastNeck'),
        head=dict(
            type='PrototypeHead',
            in_channels=sum(ptv3_channels),  # 1232
            hidden_channels=2048,
            out_channels=256,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=2),  # stride 4: 0.2 m cells on the 0.05 m grid (paper)
    head={{_base_.dos_head}},
    # the paper's segmentation setting: 70 % of the 1 m blocks hidden
    schedule=dict(mask_ratio=0.7))
