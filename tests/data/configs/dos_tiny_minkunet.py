# A tiny DOS MinkUNet (spconv, voxel 0.1, minkunet voxelisation) for tests:
# the segmentation code path of configs/dos/pretrain_semantickitti.py.
_base_ = ['./dos_tiny.py']

model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='minkunet',
        batch_first=True,
        voxel_layer=dict(
            max_num_points=-1,
            point_cloud_range=[-100, -100, -20, 100, 100, 20],
            voxel_size=[0.1, 0.1, 0.1],
            max_voxels=(-1, -1)),
        seed=0),
    encoder=dict(
        _delete_=True,
        backbone=dict(
            type='MinkUNetBackbone',
            in_channels=4,
            base_channels=8,
            encoder_channels=[8, 16, 16, 32],
            decoder_channels=[32, 16, 16, 16],
            encoder_blocks=[1, 1, 1, 1],
            decoder_blocks=[1, 1, 1, 1],
            sparseconv_backend='spconv'),
        neck=dict(type='UpcastNeck'),
        # decoder outputs 32 @ s8, 16 @ s4, 16 @ s2, 16 @ s1 = 80 channels
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=64,
            out_channels=32,
            num_prototypes=32),
        loss_level=1))
