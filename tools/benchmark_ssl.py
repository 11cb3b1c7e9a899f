"""The SSL benchmark on synthetic LiDAR: linear-probe mIoU over seeds.

    python tools/benchmark_ssl.py --seeds 0 1 2 --iters 400 \
        --out work_dirs/benchmark_ssl

Rows (same backbone, same probe, same scans; the protocol of
``make demo``: 60 training and 40 validation scans, the probe fitted on
``--labelled`` scans of each seed's label split, the demo's split for seed
0, and evaluated on the validation scans; ``--iters`` other than the
config's fits its learning-rate and weight-decay schedule to the run):

* ``random``: randomly initialised backbone;
* ``supervised``: the backbone trained with labels on the labelled scans
  for ``--iters`` steps (upper bound);
* ``masked_distillation``: student sees every voxel, masked ones replaced by
  a mask token, per-point clustering targets at masked cells (the paper's
  naive baseline);
* ``observable``: observable-only student, per-point clustering targets;
* ``sonata_masked``: the mask-token input, per-point clustering targets at
  every cell of the masked view (Sonata's masked baseline);
* ``softmaps``: observable-only, softmaps, uniform Sinkhorn (alpha = 0);
* ``dos``: observable-only, softmaps, Zipf-Sinkhorn (alpha = 1.3), the
  config's projector (512 wide) and exp-mass usage;
* ``dos_assignment``: ``dos`` with prototypes ranked by assignment mass
  (``ZipfSinkhornTarget(usage='assignment')``);
* ``dos_proj2048``: ``dos`` with a 2048-wide projector (the long configs').
* ``ptv3_small``: ``dos`` with a small Point Transformer V3 in place of the
  SparseEncoder (``configs/dos/pretrain_demo_ptv3.py``: same scans,
  schedule, head and probe; its own voxel grid). The table gives each
  pretrained row's seconds per pretraining step.

``results.md`` has each row's mean and std over the seeds and the paired
differences of ``COMPARISONS`` over the seeds both rows have, with their
Student-t 95 % intervals. Runs already in ``--out``'s ``results.json`` are
kept and skipped, so the benchmark can be split over several invocations.

Label efficiency (``--finetune``): the backbone and a linear head are
fine-tuned with labels on 1 % and 10 % of the training scans
(``dos_mm.datasets.label_split``: nested, per seed) for
``--finetune-iters`` steps, from the DOS teacher of the same seed
(``finetune_dos_*``) or from random initialisation
(``finetune_scratch_*``), and evaluated with their own head on the
validation scans.

Writes ``results.json`` (every run) and ``results.md`` (mean +- std over
seeds, and the share of the random-to-supervised gap DOS closes).

Each run (row and seed) is a fresh process by default, so memory does not
build up over a long benchmark (``--in-process`` runs them all in this
one). Rows are independent runs, so they can also be split over
processes (each with its own ``--out``) and tabulated together
afterwards:

    python tools/benchmark_ssl.py --merge work_dirs/a work_dirs/b \
        --out work_dirs/benchmark_ssl
"""
import argparse
import json
import multiprocessing
import os
import os.path as osp
import sys
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import dos_mm  # noqa: E402,F401
from dos_mm import apis, evaluation  # noqa: E402
from dos_mm.datasets import label_split, synthetic  # noqa: E402
from dos_mm.evaluation.statistics import paired_interval  # noqa: E402
from dos_mm.evaluation.statistics import read_runs  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')
HEAD = synthetic.classes.HEAD_CLASSES
METHODS = {
    'masked_distillation': {
        'model.data_preprocessor.student_input': 'mask_token',
        'model.encoder.mask_token_channels': 4,
        'model.head.loss.mode': 'point',
        'model.schedule.alpha': 0.0
    },
    'sonata_masked': {
        'model.data_preprocessor.student_input': 'mask_token_all',
        'model.encoder.mask_token_channels': 4,
        'model.head.loss.mode': 'point',
        'model.schedule.alpha': 0.0
    },
    'observable': {
        'model.head.loss.mode': 'point',
        'model.schedule.alpha': 0.0
    },
    'softmaps': {
        'model.schedule.alpha': 0.0
    },
    'dos': {},
    'dos_assignment': {
        'model.head.target.usage': 'assignment'
    },
    'dos_proj2048': {
        'model.encoder.head.hidden_channels': 2048
    },
    'ptv3_small': {},
}
# rows pretrained with another config than --config (the dos row's settings)
ROW_CONFIGS = {
    'ptv3_small': osp.join(REPO, 'configs', 'dos', 'pretrain_demo_ptv3.py')
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


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='work_dirs/benchmark_ssl')
    p.add_argument('--data', default='data/synthetic')
    p.add_argument('--config', default=CONFIG)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--iters', type=int, default=400)
    p.add_argument('--methods', nargs='+', default=list(ROWS), choices=ROWS)
    p.add_argument('--num-train', type=int, default=60)
    p.add_argument('--num-val', type=int, default=40)
    p.add_argument(
        '--labelled',
        type=int,
        default=10,
        help='labelled training scans of the probe and the supervised row: '
        "each seed's split, made by the label-split tool (the demo's)")
    p.add_argument(
        '--finetune-iters',
        type=int,
        default=200,
        help='fine-tuning steps of the label-efficiency rows')
    p.add_argument('--threads', type=int, default=None)
    p.add_argument(
        '--in-process',
        action='store_true',
        help='run every row in this process instead of a fresh process '
        'per run (starts faster; memory builds up over runs)')
    p.add_argument(
        '--merge',
        nargs='+',
        metavar='DIR',
        help='only tabulate the results.json of these output folders '
        'together into --out')
    return p.parse_args(argv)


def merge(dirs, out: str) -> list:
    """The runs of several output folders; a (method, seed) measured twice
    is an error, since the table would count it twice."""
    runs, seen = [], {}
    for folder in dirs:
        path = osp.join(folder, 'results.json')
        if not osp.isfile(path):
            raise SystemExit(f'error: {path} does not exist: run the '
                             'benchmark with --out ' + folder + ' first')
        with open(path) as f:
            for run in json.load(f)['runs']:
                key = (run['method'], run['seed'])
                if key in seen:
                    raise SystemExit(
                        f'error: {key[0]} seed {key[1]} is in both '
                        f'{seen[key]} and {path}; merge one of them')
                seen[key] = path
                runs.append(run)
    return runs


def dos_model(args, seed: int):
    """The DOS model of this seed: the ``dos`` row's final checkpoint when
    it exists, else a new pretraining run."""
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    ckpt = osp.join(args.out, f'dos_seed{seed}', f'iter_{args.iters}.pth')
    if not osp.isfile(ckpt):
        return apis.pretrain(args.config, osp.dirname(ckpt), args.data,
                             args.iters, seed, {}, args.threads).model
    init_default_scope('mmdet3d')
    model = MODELS.build(Config.fromfile(args.config).model)
    load_checkpoint(model, ckpt, map_location='cpu', strict=True)
    return model


def finetune_one(args, method: str, seed: int, all_train, val, names):
    """Fine-tune on a label split from DOS or random init; the fine-tuned
    head predicts the validation scans."""
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init = method.split('_')[1]
    fraction = FRACTIONS[method.split('_')[2]]
    labelled = [
        all_train[i] for i in label_split(len(all_train), fraction, seed)
    ]
    if init == 'dos':
        model = dos_model(args, seed)
        model.student.load_state_dict(model.teacher.module.state_dict())
    else:
        init_default_scope('mmdet3d')
        torch.manual_seed(seed)
        model = MODELS.build(Config.fromfile(args.config).model)
        model.init_weights()
    head = evaluation.train_supervised(
        model, labelled, len(names), args.finetune_iters, seed=seed)
    return evaluation.segmentation_miou(
        model,
        val,
        names,
        lambda f: head(f).argmax(1),
        net='student',
        coarse_only=False)  # the fine-tuned head reads every level


def run_one(args, method: str, seed: int, train, val, names,
            all_train) -> dict:
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    work = osp.join(args.out, f'{method}_seed{seed}')
    t0 = time.time()
    if method in FINETUNE:
        res = finetune_one(args, method, seed, all_train, val, names)
    elif method in METHODS:
        runner = apis.pretrain(
            ROW_CONFIGS.get(method, args.config), work, args.data,
            args.iters, seed, METHODS[method], args.threads)
        model, net = runner.model, 'teacher'
        step_seconds = (time.time() - t0) / args.iters
    else:
        init_default_scope('mmdet3d')
        torch.manual_seed(seed)
        model = MODELS.build(Config.fromfile(args.config).model)
        model.init_weights()
        net = 'student'
        if method == 'supervised':
            evaluation.train_supervised(
                model, train, len(names), args.iters, seed=seed)
    if method not in FINETUNE:
        res = evaluation.linear_probe_miou(
            model,
            train,
            val,
            names,
            net=net,
            cfg=evaluation.ProbeConfig(seed=seed))
    summary = evaluation.summarise(res, HEAD)
    if method in METHODS:  # what the teacher's prototypes mean
        summary['diagnostics'] = evaluation.prototype_diagnostics(
            model, val, len(names), model.head.teacher_temp)
        summary['step_seconds'] = step_seconds
    summary.update(method=method, seed=seed, seconds=time.time() - t0)
    print(
        f'  {method:<20} seed {seed}: mIoU {summary["miou"]:.1f} '
        f'(tail {summary["tail_miou"]:.1f})',
        flush=True)
    return summary


def load_protocol(args) -> tuple:
    """``(names, all_train, val)``: the class names and the labelled
    training and validation scans of ``args.data``."""
    raw_to_class = {c.raw_id: i for i, c in enumerate(synthetic.CLASSES)}
    names = [c.name for c in synthetic.CLASSES]
    load = evaluation.probe_protocol
    all_train = [
        load.load_scan(args.data, i, raw_to_class)
        for i in load.load_infos(args.data, 'train')
    ]
    val = [
        load.load_scan(args.data, i, raw_to_class)
        for i in load.load_infos(args.data, 'val')
    ]
    return names, all_train, val


def run_seed(args, method: str, seed: int, names, all_train, val) -> dict:
    """:func:`run_one` on the demo's labelled scans of ``seed``
    (``label_split``, as tools/make_label_splits.py writes them)."""
    train = [
        all_train[i] for i in label_split(
            len(all_train), args.labelled / len(all_train), seed)
    ]
    return run_one(args, method, seed, train, val, names, all_train)


def _run_and_write(args, method: str, seed: int, path: str) -> None:
    """The body of :func:`run_in_fresh_process`'s process."""
    summary = run_seed(args, method, seed, *load_protocol(args))
    with open(path, 'w') as f:
        json.dump(summary, f)


def run_in_fresh_process(args, method: str, seed: int) -> dict:
    """:func:`run_seed` in a new (spawned) process, whose memory goes back
    to the system when the run ends.

    Why: in one long-lived process memory builds up over the runs, and
    every pretraining forks its data worker from that whole process; two
    such benchmarks side by side were killed for memory on a 24 GiB
    machine (README, "The benchmark").

    Raises:
        SystemExit: the process failed or was killed; the runs measured
            so far stay in ``args.out``'s results.json.
    """
    path = osp.join(args.out, f'{method}_seed{seed}.summary.json')
    if osp.exists(path):
        os.remove(path)
    proc = multiprocessing.get_context('spawn').Process(
        target=_run_and_write, args=(args, method, seed, path))
    proc.start()
    proc.join()
    if proc.exitcode != 0 or not osp.isfile(path):
        why = ('killed (SIGKILL): most often the kernel, out of memory'
               if proc.exitcode == -9 else f'exit code {proc.exitcode}')
        raise SystemExit(
            f'error: the {method} seed {seed} run ended without a result '
            f'({why}; its output is above). The runs measured so far are '
            f'kept in '
            f'{osp.join(args.out, "results.json")}: run the same command '
            'again to go on from there.')
    with open(path) as f:
        summary = json.load(f)
    os.remove(path)
    return summary


def table(runs: list) -> str:
    rows = [
        '| method | mIoU | tail mIoU | head mIoU | seeds |',
        '|---|---|---|---|---|'
    ]
    means = {}
    for method in ROWS:
        sel = [r for r in runs if r['method'] == method]
        if not sel:
            continue
        cell = []
        for key in ('miou', 'tail_miou', 'head_miou'):
            vals = np.array([r[key] for r in sel])
            means[(method, key)] = vals.mean()
            std = vals.std(ddof=1) if len(vals) > 1 else 0.0
            cell.append(f'{vals.mean():.1f} ± {std:.1f}')
        rows.append(f'| {method} | ' + ' | '.join(cell) + f' | {len(sel)} |')
    keys = [(m, 'miou') for m in ('random', 'supervised', 'dos')]
    if all(k in means for k in keys):
        lo, hi, dos = (means[k] for k in keys)
        rows += [
            '', f'DOS closes {100 * (dos - lo) / (hi - lo):.0f} % of '
            'the gap between random initialisation and supervised '
            'training (mean mIoU).'
        ]
    for pct in FRACTIONS:
        keys = [(f'finetune_{init}_{pct}', 'miou')
                for init in ('scratch', 'dos')]
        if all(k in means for k in keys):
            scratch, dos = (means[k] for k in keys)
            rows.append(f'Fine-tuning on {pct[:-3]} % of the scans: DOS '
                        f'{dos:.1f} vs scratch {scratch:.1f} mIoU '
                        f'({dos - scratch:+.1f}).')
    rows += [''] + paired_table(runs) + [''] + diagnostics_table(runs)
    return '\n'.join(rows)


DIAGNOSTICS = ('nmi', 'protos_per_class', 'softmap_entropy_head',
               'softmap_entropy_tail')


def diagnostics_table(runs: list) -> list:
    """Mean over seeds of the teacher's prototype diagnostics on the
    validation scans, and the seconds per pretraining step (comparable
    between rows run under the same load only), per pretrained row."""
    lines = [
        '| method | NMI (prototypes, classes) | prototypes per class | '
        'softmap entropy, head ranks | tail ranks | s per step |',
        '|---|---|---|---|---|---|'
    ]
    for method in METHODS:
        sel = [
            r for r in runs if r['method'] == method and 'diagnostics' in r
        ]
        if sel:
            means = [
                np.mean([r['diagnostics'][k] for r in sel])
                for k in DIAGNOSTICS
            ]
            # runs written before step times were recorded have none
            steps = [r['step_seconds'] for r in sel if 'step_seconds' in r]
            step = f'{np.mean(steps):.2f}' if steps else '-'
            lines.append(f'| {method} | {means[0]:.3f} | {means[1]:.1f} | '
                         f'{means[2]:.3f} | {means[3]:.3f} | {step} |')
    return lines if len(lines) > 2 else []


def paired_differences(runs: list) -> list:
    """Each of ``COMPARISONS`` present in ``runs``: the mean paired
    difference of mIoU and tail mIoU over the seeds both rows have, with
    the Student-t 95 % interval, and whether the interval excludes 0."""
    by = {(r['method'], r['seed']): r for r in runs}
    out = []
    for row, base in COMPARISONS:
        seeds = sorted(s for m, s in by if m == row and (base, s) in by)
        if not seeds:
            continue
        entry = dict(row=row, baseline=base, seeds=seeds)
        for key in ('miou', 'tail_miou'):
            d = [by[(row, s)][key] - by[(base, s)][key] for s in seeds]
            entry[key] = dict(paired_interval(d), per_seed=d)
        res = entry['miou']
        entry['resolved'] = len(seeds) > 1 and (res['low'] > 0
                                                or res['high'] < 0)
        out.append(entry)
    return out


def paired_table(runs: list) -> list:
    lines = [
        '| row - baseline | mIoU difference (95 % interval) | tail mIoU '
        'difference | seeds | resolved |', '|---|---|---|---|---|'
    ]

    def cell(d, n):
        if n < 2:  # one pair has no spread: no interval to give
            return f"{d['mean']:+.1f} (one seed, no interval)"
        return f"{d['mean']:+.1f} ({d['low']:+.1f} to {d['high']:+.1f})"

    for e in paired_differences(runs):
        n = len(e['seeds'])
        lines.append(f"| {e['row']} - {e['baseline']} | "
                     f"{cell(e['miou'], n)} | {cell(e['tail_miou'], n)} | "
                     f"{n} | {'yes' if e['resolved'] else 'no'} |")
    return lines


def write_results(args, runs: list, final: bool = False) -> int:
    """Write ``results.json`` (each time, replaced whole, so a reader or a
    kill never sees half a file) and, when ``final``, print and write the
    table ``results.md``."""
    from dos_mm.datasets.preparation.resumable import atomic_write_bytes
    atomic_write_bytes(
        osp.join(args.out, 'results.json'),
        json.dumps(
            dict(
                settings=vars(args),
                runs=runs,
                paired=paired_differences(runs)),
            indent=2).encode())
    if final:
        md = table(runs)
        atomic_write_bytes(
            osp.join(args.out, 'results.md'), (md + '\n').encode())
        print(md)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    if args.merge:
        return write_results(args, merge(args.merge, args.out), final=True)
    synthetic.generate_dataset(args.data, args.num_train, args.num_val, 0)
    scans = load_protocol(args) if args.in_process else None
    runs = read_runs(args.out)  # kept: a split benchmark goes on
    done = {(r['method'], r['seed']) for r in runs}
    for seed in args.seeds:
        for method in args.methods:
            if (method, seed) in done:
                continue
            if scans is None:
                runs.append(run_in_fresh_process(args, method, seed))
            else:
                runs.append(run_seed(args, method, seed, *scans))
            write_results(args, runs)
    return write_results(args, runs, final=True)


if __name__ == '__main__':
    sys.exit(main())
