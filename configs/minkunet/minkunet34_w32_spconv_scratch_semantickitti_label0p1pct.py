# Label-efficient fine-tuning: 0.1 % of the SemanticKITTI training scans
#   python tools/make_label_splits.py \
#       data/semantickitti/semantickitti_infos_train.pkl
_base_ = ['./minkunet34_w32_spconv_scratch_semantickitti.py']
train_dataloader = dict(
    dataset=dict(ann_file='semantickitti_infos_train_0p1pct_seed0.pkl'))
