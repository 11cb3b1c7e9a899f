"""Speed and memory of DOS pretraining, measured side by side in one run.

    python tools/benchmark_speed.py [--quick] [--out work_dirs/speed.json]

Figures (JSON + a markdown table next to it):

* ``step_time_ratio``: one DOS step (two views: teacher forward on the full
  views, student forward/backward on the observable points, targets, loss,
  optimizer and EMA) over one supervised step of the same backbone on the
  same scans (one full view each, a linear head on the same cell features,
  cross-entropy, optimizer).
* ``target_share``: Zipf-Sinkhorn + softmaps + loss as a fraction of the
  DOS step.
* ``peak_memory_ratio``: peak memory of the DOS step over the supervised
  step (CUDA: ``max_memory_allocated``; CPU: peak resident memory of a
  fresh process doing only that step, minus the same process before it).
* ``pipeline_ms_per_scan``: loading a scan + two views + block masking, one
  thread.
* ``scaling``: target-generation time at several scan sizes and K.
* ``projector_variant``: step-time and memory ratios again with a narrower
  projector (``--variant-hidden``, default 512; the config's is 2048), to
  show how much of the DOS step is the projector's.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.benchmark import speed  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


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
        '--projector-hidden', type=int,
        help=argparse.SUPPRESS)  # internal: the memory probe's width
    p.add_argument(
        '--memory-probe',
        choices=['dos', 'supervised'],
        help=argparse.SUPPRESS)  # internal: one step, print RSS
    return p.parse_args(argv)


def cpu_peak_memory(args, kind: str, hidden: int = 0) -> float:
    """Run one step of ``kind`` in a fresh process; its peak RSS growth."""
    cmd = [
        sys.executable,
        osp.abspath(__file__), '--config', args.config, '--points',
        str(args.points), '--batch',
        str(args.batch), '--memory-probe', kind, '--projector-hidden',
        str(hidden)
    ]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, OMP_NUM_THREADS=str(torch.get_num_threads())))
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.memory_probe:
        print(
            speed.peak_memory_mb(args.config, args.points, args.batch,
                                 args.memory_probe, args.projector_hidden))
        return 0
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    reps = 2 if args.quick else 5
    t0 = time.time()
    steps = speed.measure_steps(args.config, args.points, args.batch, reps,
                                device)
    if device == 'cuda':
        memory = dict(
            dos_mb=steps.pop('dos_peak_mb'),
            supervised_mb=steps.pop('supervised_peak_mb'))
    else:
        memory = dict(
            dos_mb=cpu_peak_memory(args, 'dos'),
            supervised_mb=cpu_peak_memory(args, 'supervised'))
    variant = None
    if args.variant_hidden and not args.quick:
        var_steps = speed.measure_steps(args.config, args.points, args.batch,
                                        reps, device, args.variant_hidden)
        var_mb = var_steps.pop('dos_peak_mb', None) or cpu_peak_memory(
            args, 'dos', args.variant_hidden)
        var_steps.pop('supervised_peak_mb', None)
        variant = dict(
            projector_hidden=args.variant_hidden,
            step_time_ratio=var_steps['dos_s'] / var_steps['supervised_s'],
            peak_memory_ratio=var_mb / memory['supervised_mb'],
            target_share=var_steps['target_s'] / var_steps['dos_s'],
            steps=var_steps,
            dos_mb=var_mb)
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
        step_time_ratio=steps['dos_s'] / steps['supervised_s'],
        target_share=steps['target_s'] / steps['dos_s'],
        peak_memory_ratio=memory['dos_mb'] / memory['supervised_mb'],
        pipeline_ms_per_scan=pipeline,
        dos_scans_per_s=args.batch / steps['dos_s'],
        steps=steps,
        memory=memory,
        projector_variant=variant,
        scaling=speed.measure_scaling(
            sizes, ks, device, reps=2 if args.quick else 3),
        wall_s=None)
    result['wall_s'] = round(time.time() - t0, 1)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    table = speed.to_markdown(result)
    with open(osp.splitext(args.out)[0] + '.md', 'w') as f:
        f.write(table + '\n')
    print(table)
    return 0


if __name__ == '__main__':
    np.set_printoptions(precision=3)
    sys.exit(main())
