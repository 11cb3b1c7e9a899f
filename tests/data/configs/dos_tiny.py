# The demo pretraining shrunk for tests: a +-20 m range, K = 32, tiny
# projector. Same code path as every other DOS config.
_base_ = ['../../../configs/dos/pretrain_demo.py']

point_cloud_range = [-20.0, -20.0, -3.0, 20.0, 20.0, 5.0]
num_prototypes = 32
model = dict(
    data_preprocessor=dict(
        voxel_layer=dict(
            point_cloud_range=point_cloud_range, max_voxels=(20000, 20000)),
        seed=0),
    encoder=dict(
        backbone=dict(sparse_shape=[41, 400, 400]),
        head=dict(
            hidden_channels=64, out_channels=32,
            num_prototypes=num_prototypes)),
    head=dict(target=dict(num_prototypes=num_prototypes)))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
randomness = dict(seed=0, deterministic=False)
# no online probe (its own tests give it labelled scans)
val_dataloader = None
val_evaluator = None
val_cfg = None
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1000, save_best=None))
