# A tiny DOS Point Transformer V3 (minkunet voxelisation, voxel 0.1) for
# tests: the PTv3 code path of configs/dos/pretrain_*_ptv3.py.
_base_ = ['./dos_tiny_minkunet.py']

model = dict(
    encoder=dict(
        _delete_=True,
        backbone=dict(
            type='PointTransformerV3',
            in_channels=4,
            channels=(8, 16, 16, 32),
            depths=(1, 1, 1, 1),
            num_heads=(2, 2, 2, 4),
            patch_size=128,
            drop_path=0.0),
        neck=dict(type='UpcastNeck'),
        # stages 8 @ s1, 16 @ s2, 16 @ s4, 32 @ s8 = 72 channels
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=64,
            out_channels=32,
            num_prototypes=32),
        loss_level=2))  # stride 4: 0.4 m cells on the 0.1 m grid
