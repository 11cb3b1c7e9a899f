"""spconv on CPU with several threads: exactness and speed of the fixes.

    python tools/benchmark_spconv_cpu.py [--threads 2] [--repeats 6]

Runs the backbone and neck of a pretraining config (forward and backward,
``DOSEncoder.features``) on synthetic scans three ways, interleaved so that
the machine's drift hits each alike:

* ``dos_mm``: the patch of ``dos_mm.compat.spconv_cpu_conv`` (torch's
  gather, GEMM and ``index_add_`` over spconv's index pairs), all threads;
* ``spconv_1_thread``: spconv's own CPU loop with one thread around each of
  its convolution calls (the other exact fix);
* ``spconv_n_threads``: spconv's own loop with all threads (racy).

For each: the median and minimum seconds, and the largest difference
between reruns of the output features and of the first layer's weight
gradient; and the largest difference of ``dos_mm`` to ``spconv_1_thread``
(the features are the same bits; the weight gradient, a GEMM whose long
reduction axis torch splits across threads, differs by rounding). Writes
JSON and prints a markdown table.

``tools/benchmark_spconv_cpu.py`` is its command line.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import time

import torch

from dos_mm.compat.spconv_cpu_conv import (patch_spconv_cpu_conv,
                                           unpatch_spconv_cpu_conv)
from dos_mm.experiments import speed

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODES = ('dos_mm', 'spconv_1_thread', 'spconv_n_threads')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument(
        '--config',
        default=osp.join(REPO, 'configs', 'dos', 'pretrain_nuscenes.py'))
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--repeats', type=int, default=6)
    p.add_argument('--scans', type=int, default=2)
    p.add_argument('--points', type=int, default=35000)
    p.add_argument('--out', default='work_dirs/benchmark_spconv_cpu.json')
    return p.parse_args(argv)


def one_thread(fn):
    """``fn`` with torch's thread count set to 1 around each call."""

    def wrapped(*args, **kwargs):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return wrapped


def use(mode: str, own: tuple) -> None:
    """Install the convolution functions of ``mode`` into spconv, starting
    from spconv's own ``own`` (forward, backward)."""
    from spconv.pytorch import ops
    ops.indice_conv, ops.indice_conv_backward = own
    if mode == 'dos_mm':
        patch_spconv_cpu_conv(force=True)
    elif mode == 'spconv_1_thread':
        ops.indice_conv, ops.indice_conv_backward = map(one_thread, own)


def main(argv=None) -> int:
    args = parse_args(argv)
    from spconv.pytorch import ops
    torch.set_num_threads(args.threads)
    model = speed.build(args.config, 'cpu')
    scans = speed.synthetic_scans(args.scans, args.points,
                                  int(model.student.backbone.in_channels))
    points = torch.cat([torch.from_numpy(p) for p, _ in scans])
    scan_id = torch.cat([
        torch.full((len(p), ), i, dtype=torch.long)
        for i, (p, _) in enumerate(scans)
    ])
    vox = model.data_preprocessor.voxelize_scans(points, scan_id, len(scans))
    first = next(model.student.backbone.parameters())
    unpatch_spconv_cpu_conv()
    own = (ops.indice_conv, ops.indice_conv_backward)

    def step():
        model.student.zero_grad()
        enc = model.student.features(vox, vox['point_vox'], len(scans))
        enc.feats.sum().backward()
        return enc.feats.detach(), first.grad.clone()

    times = {m: [] for m in MODES}
    outs = {m: [] for m in MODES}
    for rep in range(args.repeats + 1):
        for mode in MODES:
            use(mode, own)
            start = time.perf_counter()
            out = step()
            if rep:  # the first round warms up
                times[mode].append(time.perf_counter() - start)
                outs[mode].append(out)
    use('dos_mm', own)

    def spread(runs, i):
        return max(float((r[i] - runs[0][i]).abs().max()) for r in runs)

    rows = {}
    for mode in MODES:
        rows[mode] = dict(
            median_s=statistics.median(times[mode]),
            min_s=min(times[mode]),
            rerun_max_diff_features=spread(outs[mode], 0),
            rerun_max_diff_weight_grad=spread(outs[mode], 1))
    ref = outs['spconv_1_thread'][0]
    result = dict(
        config=osp.relpath(args.config, REPO),
        threads=args.threads,
        scans=args.scans,
        points=args.points,
        voxels=int(len(vox['coors'])),
        feature_scale=float(ref[0].abs().max()),
        weight_grad_scale=float(ref[1].abs().max()),
        dos_mm_vs_spconv_1_thread=dict(
            features=float((outs['dos_mm'][0][0] - ref[0]).abs().max()),
            weight_grad=float((outs['dos_mm'][0][1] - ref[1]).abs().max())),
        modes=rows)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(f'{result["config"]}, {args.scans} x {args.points} points '
          f'({result["voxels"]} voxels), {args.threads} threads, '
          f'backbone + neck forward and backward, {args.repeats} repeats; '
          f'feature scale {result["feature_scale"]:.3g}, weight-gradient '
          f'scale {result["weight_grad_scale"]:.3g}\n')
    print('| mode | median s | min s | rerun max diff, features | '
          'rerun max diff, weight grad |\n|---|---|---|---|---|')
    for mode, row in rows.items():
        print(f'| {mode} | {row["median_s"]:.3f} | {row["min_s"]:.3f} | '
              f'{row["rerun_max_diff_features"]:.3g} | '
              f'{row["rerun_max_diff_weight_grad"]:.3g} |')
    diff = result['dos_mm_vs_spconv_1_thread']
    print(f'\ndos_mm against spconv_1_thread: features {diff["features"]:.3g}'
          f', weight gradient {diff["weight_grad"]:.3g}')
    return 0
