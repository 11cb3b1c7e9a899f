"""Pretrain -> convert -> fine-tune with tools/train.py -> tools/dist_test.sh
on small data on CPU, with mmdet3d's own MinkUNet config and SegMetric, for
MinkUNet and for PTv3 in the same segmentor."""
import json
import os
import subprocess
import sys

import pytest

from dos_mm.converters import convert_state_dict, save_converted
from ..conftest import REPO
from ..test_configs_downstream_on_fixtures import SMALL_PTV3
from ..test_models.test_weight_init.test_backbone_pretrained import small_dos
from .test_dist_train import free_port

DOWNSTREAM = REPO / 'configs/minkunet' / \
    'minkunet34_w32_spconv_dos_semantickitti.py'
PTV3_DOWNSTREAM = REPO / 'configs/ptv3/ptv3_dos_semantickitti.py'


def small_config(tmp_path,
                 data_root,
                 checkpoint,
                 base=DOWNSTREAM,
                 model: str = '') -> str:
    """The downstream config on the synthetic scans, 1 epoch, batch 1; the
    synthetic classes SemanticKITTI lacks are ignored (mmdet3d's own map
    would make them cars). ``model`` is config text that goes on the
    model dict's arguments (``, key=value``)."""
    from mmengine.config import Config

    from dos_mm.datasets.synthetic.classes import semantickitti_label_mapping
    labels_map = Config.fromfile(str(base)).labels_map
    extra = {
        raw: cls
        for raw, cls in semantickitti_label_mapping(labels_map, 19).items()
        if raw not in labels_map
    }
    text = f"""_base_ = ['{base}']
data_root = '{data_root}/'
model = dict(init_cfg=dict(checkpoint='{checkpoint}'){model})
_loader = dict(num_workers=0, persistent_workers=False)
_metainfo = dict(seg_label_mapping={extra!r})
train_dataloader = dict(
    batch_size=1, **_loader,
    dataset=dict(data_root=data_root, metainfo=_metainfo,
                 ann_file='semantickitti_infos_train.pkl'))
val_dataloader = dict(
    **_loader,
    dataset=dict(data_root=data_root, metainfo=_metainfo,
                 ann_file='semantickitti_infos_val.pkl'))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
"""
    path = tmp_path / 'small_finetune.py'
    path.write_text(text)
    return str(path)


def small_ptv3_dos():
    """One DOS step of the small PTv3 (the tests' sizes) with the
    SemanticKITTI PTv3 pretraining config."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from ..test_converters.test_checkpoint_converter import pretrain_steps
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        str(REPO / 'configs/dos/pretrain_semantickitti_ptv3.py'))
    cfg.model.encoder.backbone.update(SMALL_PTV3)
    cfg.model.encoder.head.update(
        in_channels=sum(SMALL_PTV3['channels']),
        hidden_channels=32,
        num_prototypes=8)
    cfg.model.head.target.num_prototypes = 8
    return pretrain_steps(cfg, channels=4, steps=1)


CHAINS = {
    'minkunet': (lambda: small_dos('dos/pretrain_semantickitti.py', 4),
                 DOWNSTREAM, ''),
    'ptv3': (small_ptv3_dos, PTV3_DOWNSTREAM,
             f', backbone=dict(encoder={SMALL_PTV3!r})'),
}


@pytest.mark.dist
@pytest.mark.parametrize('target', sorted(CHAINS))
def test_pretrain_convert_finetune_dist_test(target, tmp_path,
                                             synthetic_root):
    pretrain, downstream, model = CHAINS[target]
    state, _ = convert_state_dict(pretrain().state_dict(), target)
    ckpt = tmp_path / f'dos_{target}.pth'
    save_converted(state, str(ckpt), meta={})
    cfg = small_config(tmp_path, synthetic_root, ckpt, downstream, model)
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        OMP_NUM_THREADS='1',
        CUDA_VISIBLE_DEVICES='',  # 2 processes on gloo, also on GPU boxes
        PORT=str(free_port()))
    work = tmp_path / 'work'
    train = subprocess.run([
        sys.executable,
        str(REPO / 'tools/train.py'), cfg, '--work-dir',
        str(work)
    ],
                           env=env,
                           capture_output=True,
                           text=True,
                           timeout=600)
    assert train.returncode == 0, train.stderr[-3000:]
    log = next(work.glob('*/*.log')).read_text()
    assert 'BackbonePretrained: loaded' in log
    assert 'miou' in log  # mmdet3d's SegMetric ran after the epoch
    test = subprocess.run([
        'bash',
        str(REPO / 'tools/dist_test.sh'), cfg,
        str(work / 'epoch_1.pth'), '2', '--work-dir',
        str(tmp_path / 'test')
    ],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert test.returncode == 0, test.stderr[-3000:]
    metrics = next((tmp_path / 'test').glob('*/*.json'))
    result = json.loads(metrics.read_text())
    assert 0.0 <= result['miou'] <= 1.0
