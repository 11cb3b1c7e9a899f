# SSL benchmark row `observable`: observable-only student with per-point
# clustering targets (no softmaps), uniform Sinkhorn.
#   python tools/train.py configs/dos/ablations/pretrain_demo_observable.py
_base_ = ['./pretrain_demo_softmaps.py']
model = dict(head=dict(loss=dict(mode='point')))
