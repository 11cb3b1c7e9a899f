# SSL benchmark row `dos_proj2048`: DOS with a 2048-wide projector (the
# long configs') in place of the demo's 512.
#   python tools/train.py configs/dos/ablations/pretrain_demo_proj2048.py
_base_ = ['../pretrain_demo.py']
model = dict(encoder=dict(head=dict(hidden_channels=2048)))
