# nuScenes key frames for pretraining the segmentation backbones: x, y, z,
# intensity of the key frame alone, the input of the nuScenes-lidarseg
# configs (configs/minkunet/*_nus-lidarseg.py, configs/ptv3/*_nus-lidarseg.py).
# The rest as nus_pretrain.py (10-sweep points for CenterPoint).
_base_ = ['./nus_pretrain.py']

train_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=5,
         use_dim=4),
    dict(type='DOSMultiView'),  # two views; crops, augmentation: its defaults,
    dict(type='PackDOSInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
