"""Which encoder levels the DOS loss trains: the gradient of the DOS loss
on each level of the student backbone, relative to that level's weights.

    python tools/dos_level_gradients.py configs/dos/pretrain_demo.py \
        --data-root data/synthetic_det \
        --checkpoint work_dirs/benchmark_det/seed2/pretrain_seed2/iter_400.pth

For a random initialisation (always) and a pretraining checkpoint (when
given) it averages, over ``--batches`` training batches with the schedule
values in force at ``--iter``, each level's gradient norm ``||g||``, weight
norm ``||w||`` and their ratio: the relative step plain SGD would take
there. A level whose ratio is orders of magnitude below the others is one
the loss does not train. The levels are the backbone's top-level children
(``conv_input``, each ``encoder_layers`` stage, ``conv_out``).

Prints a markdown table and writes it with the raw figures as JSON
(``--out``).

``tools/dos_level_gradients.py`` is its command line.
"""
import argparse
import json
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, Optional

import torch

from dos_mm.utils import load_config


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='a DOS pretraining config')
    p.add_argument('--checkpoint', help='a pretraining checkpoint to compare')
    p.add_argument('--data-root', help="overrides the dataset's data_root")
    p.add_argument('--batches', type=int, default=4)
    p.add_argument(
        '--iter',
        type=int,
        default=None,
        help='schedule iteration in force (default: the last one)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/dos_level_gradients.json')
    return p.parse_args(argv)


def level_of(name: str) -> str:
    """``backbone.encoder_layers.encoder_layer2.0.0.weight`` ->
    ``encoder_layers.encoder_layer2``; ``backbone.conv_out.0.weight`` ->
    ``conv_out``."""
    parts = name.split('.')[1:]
    depth = 2 if parts[0] == 'encoder_layers' else 1
    return '.'.join(parts[:depth])


def level_gradients(model, batches: list) -> Dict[str, dict]:
    """Mean over ``batches`` of each backbone level's gradient norm, and
    its weight norm, for the DOS loss of ``model`` (in train mode)."""
    sums: Dict[str, float] = OrderedDict()
    weights: Dict[str, float] = OrderedDict()
    for batch in batches:
        model.zero_grad(set_to_none=True)
        data = model.data_preprocessor(batch, True)
        model(**data, mode='loss')['loss'].backward()
        sq: Dict[str, float] = OrderedDict()
        wq: Dict[str, float] = OrderedDict()
        for name, p in model.student.named_parameters():
            if not name.startswith('backbone.'):
                continue
            level = level_of(name)
            g = 0.0 if p.grad is None else float(p.grad.double().norm())**2
            sq[level] = sq.get(level, 0.0) + g
            wq[level] = wq.get(level, 0.0) + float(p.double().norm())**2
        for level, v in sq.items():
            sums[level] = sums.get(level, 0.0) + v**0.5 / len(batches)
            weights[level] = wq[level]**0.5
    return OrderedDict(
        (level,
         dict(grad=sums[level], weight=weights[level],
              ratio=sums[level] / max(weights[level], 1e-30)))
        for level in sums)


def build(cfg, checkpoint: Optional[str], seed: int):
    from mmdet3d.registry import MODELS
    from mmengine.runner import load_checkpoint
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if checkpoint:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.train()


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmdet3d')
    cfg = load_config(args.config)
    if args.data_root:
        cfg.train_dataloader.dataset.data_root = (
            osp.abspath(args.data_root) + '/')
    max_iters = cfg.train_cfg.max_iters
    it = max_iters - 1 if args.iter is None else args.iter
    ds = cfg.train_dataloader.dataset
    ann = osp.join(ds.get('data_root', ''), ds.get('ann_file', ''))
    if not osp.isfile(ann):
        sys.exit(f'dos_level_gradients: {ann} does not exist. Fix: '
                 'generate the scans (python tools/generate_synthetic.py) '
                 'or point --data-root at a folder holding them')
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == args.batches:
            break
    results = OrderedDict()
    arms = (('random init', None), ('pretrained', args.checkpoint))
    for label, ckpt in arms:
        if label == 'pretrained' and not ckpt:
            continue
        model = build(cfg, ckpt, args.seed)
        model.set_schedule(**model.schedule_at(it, max_iters))
        model.data_preprocessor.seed_step(it, args.seed)
        results[label] = level_gradients(model, batches)
    lines = ['| level | ' + ' | '.join(
        f'{k} ‖g‖/‖w‖' for k in results) + ' |',
             '|---|' + '---|' * len(results)]
    for level in next(iter(results.values())):
        lines.append(f'| {level} | ' + ' | '.join(
            f'{r[level]["ratio"]:.2e}' for r in results.values()) + ' |')
    table = '\n'.join(lines)
    print(table)
    report = dict(
        config=args.config, data_root=ds.get('data_root'),
        checkpoint=args.checkpoint, iter=it,
        batches=len(batches), seed=args.seed, levels=results, table=table)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(report, f, indent=2)
    return report
