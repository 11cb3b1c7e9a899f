# SSL benchmark row `masked_distillation` (the paper's naive baseline): the
# student sees every voxel, masked ones replaced by a mask token; per-point
# clustering targets at the masked cells, uniform Sinkhorn.
#   python tools/train.py \
#       configs/dos/ablations/pretrain_demo_masked_distillation.py
_base_ = ['./pretrain_demo_observable.py']
model = dict(
    data_preprocessor=dict(student_input='mask_token'),
    encoder=dict(mask_token_channels=4))  # the demo's point channels
