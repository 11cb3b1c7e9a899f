"""The detection benchmark on synthetic LiDAR: CenterPoint fine-tuned from
DOS, from scratch and on a frozen DOS encoder, over seeds and label
fractions, as paired differences with their 95 % intervals.

    python tools/benchmark_det.py --seeds 0 1 2 --fractions 0.05 0.2 \
        --out work_dirs/benchmark_det
    python tools/benchmark_det.py --merge DIR_A DIR_B --out work_dirs/bench_det

For each seed it pretrains DOS with configs/dos/pretrain_demo.py (seeded),
converts the teacher backbone, and for each label fraction fine-tunes the
arms on the same seeded split of the training scans (the label-split
tool's nested subsets) with one shared schedule, then tests them with the
config's test loop (``CenterDistanceAPMetric``). Runs already in
``results.json`` are skipped, so a benchmark can be split over several
invocations and merged.

Writes ``results.json`` (every run) and ``results.md``: mAP mean and std
per arm and fraction, and for each fraction the paired difference of each
DOS arm against scratch, with its Student-t 95 % interval over the seeds.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import dos_mm  # noqa: E402,F401
from dos_mm import apis, converters  # noqa: E402
from dos_mm.datasets import synthetic  # noqa: E402
from dos_mm.evaluation import detection_protocol as det  # noqa: E402
from dos_mm.evaluation.statistics import paired_interval  # noqa: E402
from dos_mm.evaluation.statistics import read_runs  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')
ARMS = tuple(det.CONFIGS)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='work_dirs/benchmark_det')
    p.add_argument('--data', default='data/synthetic_det')
    p.add_argument('--config', default=CONFIG)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--fractions', type=float, nargs='+', default=[0.05, 0.2])
    p.add_argument('--arms', nargs='+', default=list(ARMS), choices=ARMS)
    p.add_argument('--iters', type=int, default=400, help='pretraining')
    p.add_argument(
        '--det-iters', type=int, default=160, help='fine-tuning, every arm')
    p.add_argument(
        '--det-lr',
        type=float,
        default=None,
        help='peak fine-tuning learning rate of every arm (default: the '
        "configs' 2e-3); one value per --out folder")
    p.add_argument('--num-train', type=int, default=100)
    p.add_argument('--num-val', type=int, default=40)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument(
        '--merge',
        nargs='+',
        metavar='DIR',
        help='only tabulate the results.json of these folders into --out')
    return p.parse_args(argv)


def _key(run: dict) -> tuple:
    return run['arm'], run['seed'], run['fraction']


def merge(dirs, out: str) -> list:
    """The runs of several folders; a run measured twice, or runs of
    different fine-tuning learning rates, are an error."""
    runs, seen = [], {}
    for folder in dirs:
        found = read_runs(folder)
        if not found:
            raise SystemExit(f'error: {folder}/results.json has no runs')
        for run in found:
            if _key(run) in seen:
                raise SystemExit(f'error: {_key(run)} is in both '
                                 f'{seen[_key(run)]} and {folder}')
            seen[_key(run)] = folder
            runs.append(run)
    rates = {run.get('lr') for run in runs}
    if len(rates) > 1:
        raise SystemExit(f'error: the folders fine-tuned with different '
                         f'learning rates {sorted(rates, key=str)} '
                         '(--det-lr; None is the configs\' own): merge '
                         'one rate at a time')
    return runs


def summarise(runs: list) -> dict:
    """Per fraction: each arm's mean and std mAP, and each DOS arm's
    paired difference to scratch over the seeds both have."""
    out = {}
    for fraction in sorted({r['fraction'] for r in runs}):
        rows = [r for r in runs if r['fraction'] == fraction]
        arms = {}
        for arm in ARMS:
            maps = [r['map'] for r in rows if r['arm'] == arm]
            if maps:
                arms[arm] = dict(
                    mean=float(np.mean(maps)),
                    std=float(np.std(maps, ddof=1)) if len(maps) > 1 else 0.0,
                    n=len(maps))
        by_seed = {(r['arm'], r['seed']): r['map'] for r in rows}
        diffs = {}
        for arm in ARMS[1:]:
            seeds = sorted(s for a, s in by_seed
                           if a == arm and ('scratch', s) in by_seed)
            if seeds:
                d = [
                    by_seed[(arm, s)] - by_seed[('scratch', s)] for s in seeds
                ]
                diffs[f'{arm} - scratch'] = dict(
                    paired_interval(d), per_seed=d, seeds=seeds)
        labelled = sorted({r['labelled'] for r in rows})
        out[str(fraction)] = dict(arms=arms, diffs=diffs, labelled=labelled)
    return out


def to_markdown(summary: dict, runs: list) -> str:
    lines = [
        '| fraction (scans) | arm | mAP mean ± std | seeds |',
        '|---|---|---|---|'
    ]
    for fraction, part in summary.items():
        scans = '/'.join(str(n) for n in part['labelled'])
        for arm, s in part['arms'].items():
            lines.append(f'| {float(fraction):.0%} ({scans}) | {arm} | '
                         f'{s["mean"]:.1f} ± {s["std"]:.1f} | {s["n"]} |')
    lines += [
        '', '| fraction | paired difference | mean | 95 % interval | '
        'per seed |', '|---|---|---|---|---|'
    ]
    for fraction, part in summary.items():
        for name, d in part['diffs'].items():
            per = ', '.join(f'{v:+.1f}' for v in d['per_seed'])
            lines.append(f'| {float(fraction):.0%} | {name} | '
                         f'{d["mean"]:+.1f} | {d["low"]:+.1f} to '
                         f'{d["high"]:+.1f} | {per} |')
    return '\n'.join(lines) + '\n'


def write_results(out: str, runs: list, settings: dict) -> dict:
    """results.json and results.md, each written atomically."""
    summary = summarise(runs)
    os.makedirs(out, exist_ok=True)
    for name, text in (('results.json',
                        json.dumps(
                            dict(
                                settings=settings, summary=summary, runs=runs),
                            indent=2)), ('results.md',
                                         to_markdown(summary, runs))):
        tmp = osp.join(out, f'.{name}.tmp')
        with open(tmp, 'w') as f:
            f.write(text)
        os.replace(tmp, osp.join(out, name))
    return summary


def pretrained_backbone(args, seed: int) -> str:
    """The converted teacher backbone of this seed's DOS pretraining
    (pretrained once, reused by every fraction and arm)."""
    work = osp.join(args.out, f'pretrain_seed{seed}')
    path = osp.join(work, 'dos_centerpoint.pth')
    if osp.isfile(path):
        return path
    ckpt = osp.join(work, f'iter_{args.iters}.pth')
    if not osp.isfile(ckpt):
        apis.pretrain(args.config, work, args.data, args.iters, seed, {},
                      args.threads)
    state, _ = converters.convert_state_dict(
        converters.load_dos_checkpoint(ckpt)['state_dict'], 'centerpoint')
    converters.save_converted(state, path, dict(seed=seed, iter=args.iters))
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = {k: v for k, v in vars(args).items() if k != 'merge'}
    if args.merge:
        summary = write_results(args.out, merge(args.merge, args.out),
                                settings)
        print(json.dumps(summary, indent=2))
        return 0
    runs = read_runs(args.out)
    other = {r.get('lr') for r in runs} - {args.det_lr}
    if other:
        raise SystemExit(f'error: {args.out} holds runs fine-tuned at '
                         f'learning rate {sorted(other, key=str)}, not '
                         f'--det-lr {args.det_lr}: use another --out')
    synthetic.generate_dataset(args.data, args.num_train, args.num_val, 0)
    done = {_key(r) for r in runs}
    for seed in args.seeds:
        todo = [(f, a) for f in args.fractions for a in args.arms
                if (a, seed, f) not in done]
        if not todo:
            continue
        ckpt = pretrained_backbone(args, seed) if any(
            a != 'scratch' for _, a in todo) else None
        for fraction, arm in todo:
            ann = det.labelled_split(args.data, fraction, seed)
            start = time.time()
            res = det.detection_transfer(
                args.data,
                osp.join(args.out, f'seed{seed}_{fraction:g}'), (arm, ),
                ckpt,
                ann,
                args.det_iters,
                seed=seed,
                threads=args.threads,
                lr=args.det_lr)[arm]
            runs.append(
                dict(
                    res,
                    arm=arm,
                    seed=seed,
                    fraction=fraction,
                    lr=args.det_lr,
                    seconds=round(time.time() - start, 1)))
            print(f'[benchmark_det] seed {seed} fraction {fraction:g} '
                  f'{arm}: mAP {res["map"]:.1f}')
            write_results(args.out, runs, settings)
    summary = write_results(args.out, runs, settings)
    print(to_markdown(summary, runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
