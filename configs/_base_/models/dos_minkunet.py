# DOS around mmdet3d's MinkUNet backbone (spconv backend) and its
# voxelisation (voxel_type='minkunet'), taken from mmdet3d's model config,
# so that the weights load into MinkUNet's `backbone` unchanged. Every
# decoder level (strides 8, 4, 2, 1) feeds the loss cells.
_base_ = ['mmdet3d::_base_/models/minkunet.py']

num_prototypes = 1024  # paper

model = dict(
    _delete_=True,
    type='DOS',
    data_preprocessor=dict(
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='minkunet',
        batch_first=True,
        voxel_layer={{_base_.model.data_preprocessor.voxel_layer}},
        block_size=1.0,
        mask_ratio=0.7),
    encoder=dict(
        backbone={{_base_.model.backbone}},
        neck=dict(type='UpcastNeck'),
        # decoder outputs 256 @ s8, 128 @ s4, 96 @ s2, 96 @ s1 = 576
        head=dict(
            type='PrototypeHead',
            in_channels=576,
            hidden_channels=2048,
            out_channels=256,
            num_prototypes=num_prototypes),
        loss_level=1),  # stride 4: 0.2 m cells on the 0.05 m grid
    head=dict(
        type='DOSHead',
        target=dict(
            type='ZipfSinkhornTarget',
            num_prototypes=num_prototypes,
            alpha=1.3,
            num_iters=3),
        loss=dict(type='SoftmapLoss', mode='softmap', softmap_norm='scene'),
        teacher_temp=0.04,
        student_temp=0.1),
    teacher_momentum=0.994)
