# The demo's pretraining with a small Point Transformer V3 in place of the
# SparseEncoder: the same synthetic scans, schedule, head and DOS settings
# (configs/dos/pretrain_demo.py), on mmdet3d's MinkUNet voxelisation of a
# 0.1 m grid; the loss cells are its stride 2 (0.2 m, as in the demo).
#   python tools/train.py configs/dos/pretrain_demo_ptv3.py
_base_ = ['./pretrain_demo.py']

ptv3_small_channels = (16, 32, 64, 128)
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='DOSDataPreprocessor',
        voxel=True,
        voxel_type='minkunet',
        batch_first=True,
        voxel_layer=dict(
            max_num_points=-1,
            point_cloud_range={{_base_.demo_point_cloud_range}},
            voxel_size=[0.1, 0.1, 0.1],
            max_voxels=(-1, -1))),
    encoder=dict(
        _delete_=True,
        backbone=dict(
            type='PointTransformerV3',
            in_channels=4,
            channels=ptv3_small_channels,
            depths=(1, 1, 2, 1),
            num_heads=(1, 2, 4, 8),
            patch_size=256,
            drop_path=0.1),
        neck=dict(type='UpcastNeck'),
        # (the head's in_channels: derived from the backbone by DOSEncoder)
        head=dict(
            type='PrototypeHead',
            hidden_channels=512,
            out_channels=128,
            num_prototypes={{_base_.num_prototypes}}),
        loss_level=1))  # stride 2: 0.2 m cells
