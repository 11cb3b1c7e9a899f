# SSL benchmark row `softmaps`: the demo's DOS with uniform Sinkhorn
# (alpha = 0): softmaps without the Zipf prior.
#   python tools/train.py configs/dos/ablations/pretrain_demo_softmaps.py
_base_ = ['../pretrain_demo.py']
model = dict(schedule=dict(alpha=0.0))
