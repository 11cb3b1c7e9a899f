"""The online probe in mmengine's validation loop of a pretraining run."""
import json

from mmengine.config import Config
from mmengine.runner import Runner

from dos_mm.apis.pretrain import set_data_root
from dos_mm.utils import load_config
from ..conftest import REPO, TINY_CONFIG

PROBE_BASE = REPO / 'configs/_base_/datasets/synthetic_pretrain_probe.py'
KEYS = ('probe/miou', 'probe/head_miou', 'probe/tail_miou',
        'probe/proto_many_to_one_miou', 'probe/proto_one_to_one_miou',
        'probe/nmi', 'probe/prototypes_in_use')


def test_pretraining_logs_the_probe_and_keeps_the_best(tmp_path,
                                                       synthetic_root):
    cfg = load_config(str(TINY_CONFIG))  # its own visualizer
    probe = Config.fromfile(str(PROBE_BASE))
    for key in ('val_dataloader', 'val_evaluator', 'val_cfg'):
        cfg[key] = probe[key]
    cfg.val_dataloader.update(num_workers=0)
    cfg.val_dataloader.dataset.fit.indices = 3  # of 4 training scans
    cfg.val_dataloader.dataset.held_out.indices = 2
    cfg.val_evaluator.update(fit_points_per_scan=500, probe=dict(epochs=20))
    cfg.train_cfg.update(max_iters=2, val_interval=1)
    cfg.default_hooks.checkpoint.update(
        interval=1, save_best='probe/miou', rule='greater')
    cfg.work_dir = str(tmp_path)
    set_data_root(cfg, str(synthetic_root))
    Runner.from_cfg(cfg).train()

    rows = [
        json.loads(line) for f in tmp_path.glob('*/vis_data/scalars.json')
        for line in open(f)
    ]
    probes = [r for r in rows if 'probe/miou' in r]
    # the random initialisation (InitialValidationHook), then every
    # val_interval
    assert [r['step'] for r in probes] == [0, 1, 2]
    for key in KEYS:
        assert all(0 <= r[key] for r in probes), key
    assert 0 < probes[-1]['probe/miou'] <= 100
    assert list(tmp_path.glob('best_probe_miou_iter_*.pth'))
