"""Speed and memory of DOS pretraining, measured side by side in one run.

    python tools/benchmark_speed.py [--quick] [--out work_dirs/speed.json]

Figures (JSON + a markdown table next to it):

* ``step_time_ratio``: one DOS step (two views: teacher forward on the full
  views, student forward/backward on the observable points, targets, loss,
  optimizer and EMA) over one supervised step of the same backbone on the
  same scans (one full view each, a linear head on the same cell features,
  cross-entropy, optimizer).
* ``target_share``: Zipf-Sinkhorn + softmaps + loss as a fraction of the
  DOS step, both from DOS steps run under ``torch.profiler`` (the parts are
  the ``record_function`` ranges ``dos.sinkhorn`` and ``dos.softmaps`` in
  the code).
* ``peak_memory_ratio``: peak memory held by tensors during the DOS step
  over that of the supervised step, each as growth over the memory held
  before the step (CUDA: ``max_memory_allocated``; CPU: the allocations the
  profiler records, summed in time order; see ``peak_allocated_mb``).
* ``floor_step_time_ratio`` and ``dos_over_floor``: a step of the network
  passes DOS cannot do without (teacher backbone and head, student backbone
  and head forward/backward, a mean for a loss) over the supervised step,
  and the DOS step over that step: what the method's network costs, and
  what matching, targets and loss add to it.
* ``steps`` and ``memory``: the seconds and MB behind these, with the parts
  of the profiled DOS step (``targets_s``, ``sinkhorn_s``, ``softmaps_s``,
  ``loss_call_s``, ``matching_s``, ``profiled_s``; the ranges of
  ``speed.RANGES``, see ``speed.measure_steps``).
* ``pipeline_ms_per_scan``: loading a scan + two views + block masking, one
  thread.
* ``scaling``: target-generation time at several scan sizes and K.
* ``projector_variant``: step-time and memory ratios again with a narrower
  projector (``--variant-hidden``, default 512; the config's is 2048), to
  show how much of the DOS step is the projector's.
* ``backbones``: the DOS and supervised steps of ``--config``'s backbone
  beside those of ``--ptv3-config`` (the small Point Transformer V3 of
  ``configs/dos/pretrain_demo_ptv3.py``) on the same scans (``''``: none;
  skipped with --quick).

``tools/benchmark_speed.py`` is its command line.
"""
import argparse
import json
import os
import os.path as osp
import tempfile
import time

import numpy as np
import torch

from dos_mm.experiments import speed, speed_report

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument(
        '--quick',
        action='store_true',
        help='fewer repeats and sizes (under a minute on CPU)')
    p.add_argument('--out', default='work_dirs/benchmark_speed.json')
    p.add_argument(
        '--config',
        default=osp.join(REPO, 'configs', 'dos', 'pretrain_nuscenes.py'))
    p.add_argument(
        '--points',
        type=int,
        default=35000,
        help='points per scan (nuScenes-size: 35k)')
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument(
        '--variant-hidden',
        type=int,
        default=512,
        help='projector hidden width of the variant rows (0: none; '
        'skipped with --quick)')
    p.add_argument(
        '--ptv3-config',
        default=osp.join(REPO, 'configs', 'dos', 'pretrain_demo_ptv3.py'),
        help="the PTv3 row of the backbone table ('': none; skipped with "
        '--quick)')
    return p.parse_args(argv)


def ratios(steps: dict) -> dict:
    """The ratios of one :func:`speed.measure_steps` result."""
    return dict(
        step_time_ratio=steps['dos_s'] / steps['supervised_s'],
        target_share=steps['target_s'] / steps['profiled_s'],
        peak_memory_ratio=steps['dos_peak_mb'] / steps['supervised_peak_mb'],
        floor_step_time_ratio=steps['passes_s'] / steps['supervised_s'],
        dos_over_floor=steps['dos_s'] / steps['passes_s'])


def backbone_row(config: str, steps: dict) -> dict:
    """One row of the backbone table: the config's backbone type and its
    step seconds and peak MB."""
    from mmengine.config import Config
    return dict(
        config=osp.relpath(config, REPO),
        backbone=Config.fromfile(config).model.encoder.backbone.type,
        dos_s=steps['dos_s'],
        supervised_s=steps['supervised_s'],
        dos_mb=steps['dos_peak_mb'],
        step_time_ratio=steps['dos_s'] / steps['supervised_s'])


def main(argv=None) -> int:
    np.set_printoptions(precision=3)
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    reps = 2 if args.quick else 5
    t0 = time.time()
    steps = speed.measure_steps(args.config, args.points, args.batch, reps,
                                device)
    memory = dict(
        dos_mb=steps['dos_peak_mb'],
        supervised_mb=steps['supervised_peak_mb'],
        passes_mb=steps['passes_peak_mb'])
    variant = None
    if args.variant_hidden and not args.quick:
        var_steps = speed.measure_steps(args.config, args.points, args.batch,
                                        reps, device, args.variant_hidden)
        variant = dict(
            projector_hidden=args.variant_hidden,
            **ratios(var_steps),
            steps=var_steps,
            dos_mb=var_steps['dos_peak_mb'])
    backbones = None
    if args.ptv3_config and not args.quick:
        ptv3 = speed.measure_steps(args.ptv3_config, args.points,
                                   args.batch, reps, device)
        backbones = [
            backbone_row(args.config, steps),
            backbone_row(args.ptv3_config, ptv3)
        ]
    sizes = (10000, 35000) if args.quick else (10000, 35000, 120000)
    ks = (256, 1024) if args.quick else (256, 1024, 4096)
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = speed.measure_pipeline(tmp, args.points,
                                          5 if args.quick else 20)
    result = dict(
        device=device if device == 'cpu' else torch.cuda.get_device_name(),
        threads=torch.get_num_threads(),
        config=osp.relpath(args.config, REPO),
        points_per_scan=args.points,
        batch=args.batch,
        **ratios(steps),
        pipeline_ms_per_scan=pipeline,
        dos_scans_per_s=args.batch / steps['dos_s'],
        steps=steps,
        memory=memory,
        projector_variant=variant,
        backbones=backbones,
        scaling=speed.measure_scaling(
            sizes, ks, device, reps=2 if args.quick else 3),
        wall_s=None)
    result['wall_s'] = round(time.time() - t0, 1)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    table = speed_report.to_markdown(result)
    with open(osp.splitext(args.out)[0] + '.md', 'w') as f:
        f.write(table + '\n')
    print(table)
    return 0
