"""The SSL benchmark's rows: each pretrained row a config, the reference
rows, the label-efficiency rows, and the comparisons the tables report."""
import os.path as osp

from dos_mm.datasets import synthetic

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')
HEAD = synthetic.classes.HEAD_CLASSES
ABLATIONS = osp.join(REPO, 'configs', 'dos', 'ablations')
# the pretrained rows, each a config (None: --config, the dos row)
METHODS = {
    'masked_distillation':
    osp.join(ABLATIONS, 'pretrain_demo_masked_distillation.py'),
    'sonata_masked':
    osp.join(ABLATIONS, 'pretrain_demo_sonata_masked.py'),
    'observable':
    osp.join(ABLATIONS, 'pretrain_demo_observable.py'),
    'softmaps':
    osp.join(ABLATIONS, 'pretrain_demo_softmaps.py'),
    'dos':
    None,
    'dos_assignment':
    osp.join(ABLATIONS, 'pretrain_demo_assignment_usage.py'),
    'dos_proj2048':
    osp.join(ABLATIONS, 'pretrain_demo_proj2048.py'),
    'ptv3_small':
    osp.join(REPO, 'configs', 'dos', 'pretrain_demo_ptv3.py'),
}
# (row, baseline): the paired differences the table reports
COMPARISONS = (
    ('dos', 'random'),
    ('dos', 'softmaps'),
    ('softmaps', 'observable'),
    ('observable', 'masked_distillation'),
    ('observable', 'sonata_masked'),
    ('dos_assignment', 'dos'),
    ('dos_proj2048', 'dos'),
    ('ptv3_small', 'dos'),
    ('supervised', 'dos'),
) + tuple((f'finetune_dos_{pct}', f'finetune_scratch_{pct}')
          for pct in ('1pct', '10pct'))
FRACTIONS = {'1pct': 0.01, '10pct': 0.1}
FINETUNE = tuple(f'finetune_{init}_{pct}' for pct in FRACTIONS
                 for init in ('scratch', 'dos'))
ROWS = ('random', 'supervised') + tuple(METHODS) + FINETUNE
