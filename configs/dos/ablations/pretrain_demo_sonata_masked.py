# SSL benchmark row `sonata_masked` (Sonata's masked baseline): mask-token
# input, per-point clustering targets at every cell of the masked view.
#   python tools/train.py configs/dos/ablations/pretrain_demo_sonata_masked.py
_base_ = ['./pretrain_demo_masked_distillation.py']
model = dict(data_preprocessor=dict(student_input='mask_token_all'))
