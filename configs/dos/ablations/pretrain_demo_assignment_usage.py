# SSL benchmark row `dos_assignment`: DOS with the prototypes ranked by
# their assignment mass instead of the exp-mass usage.
#   python tools/train.py \
#       configs/dos/ablations/pretrain_demo_assignment_usage.py
_base_ = ['../pretrain_demo.py']
model = dict(head=dict(target=dict(usage='assignment')))
