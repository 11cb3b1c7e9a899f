# DOS around Point Transformer V3 (encoder only: the paper's backbone): the
# MinkUNet base's voxelisation (mmdet3d's, 0.05 m grid), DOS head and
# schedule, with the encoder replaced. Every stage (strides 1, 2, 4, 8, 16)
# feeds the loss cells; the sizes are the encoder of Sonata-style
# pretraining (PointTransformerV3's defaults).
_base_ = ['./dos_minkunet.py']

ptv3_channels = (48, 96, 192, 384, 512)
model = dict(
    encoder=dict(
        _delete_=True,
        backbone=dict(
            type='PointTransformerV3', in_channels=4,
            channels=ptv3_channels),
        neck=dict(type='UpcastNeck'),
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=2048,
            out_channels=256,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=2))  # stride 4: 0.2 m cells on the 0.05 m grid (paper)
