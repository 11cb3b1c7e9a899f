# Label-efficient fine-tuning: 20 % of the SemanticKITTI training scans
#   python tools/make_label_splits.py \
#       data/semantickitti/semantickitti_infos_train.pkl
_base_ = ['./minkunet34_w32_spconv_dos_semantickitti.py']
train_dataloader = dict(
    dataset=dict(ann_file='semantickitti_infos_train_20pct_seed0.pkl'))
