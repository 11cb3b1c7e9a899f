"""The SSL benchmark on synthetic LiDAR: linear-probe mIoU over seeds
(``tools/benchmark_ssl.py`` is its command line).

Rows (same backbone, same probe, same scans; the protocol of
``make demo``: 60 training and 40 validation scans, the probe fitted on
``--labelled`` scans of each seed's label split, the demo's split for seed
0, and evaluated on the validation scans; ``--iters`` other than the
config's fits its learning-rate and weight-decay schedule to the run).
Each pretrained row is a config (:data:`METHODS`: the ablations are small
files in ``configs/dos/ablations/`` on top of the demo's, each runnable by
itself with ``tools/train.py``; ``--row-config ROW CONFIG`` replaces one):

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

Each run (row and seed) is a fresh process by default (:mod:`.runs`), so
memory does not build up over a long benchmark (``--in-process`` runs them
all in one). Rows are independent runs, so they can also be split over
processes (each with its own ``--out``) and tabulated together afterwards
(``--merge``).
"""
import os
import os.path as osp
import time

import torch

from dos_mm import apis, evaluation
from dos_mm.datasets import label_split, synthetic
from . import probe_protocol
from . import runs as benchmark_runs
from .demo_report import summarise
from .ssl_rows import CONFIG, FINETUNE, FRACTIONS, HEAD, METHODS, ROWS
from .ssl_tables import paired_differences, table
from .supervised import train_supervised


def row_config(args, method: str) -> str:
    """The pretraining config of a pretrained row: ``--row-config``, else
    :data:`METHODS` (``--config`` for ``dos``)."""
    given = dict(args.row_config or [])
    return given.get(method) or METHODS[method] or args.config


def dos_model(args, seed: int):
    """The DOS model of this seed: the ``dos`` row's final checkpoint in
    ``args.out``. It must exist: a fine-tuning row does not pretrain on
    its own behind the user's back."""
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    ckpt = osp.join(args.out, f'dos_seed{seed}', f'iter_{args.iters}.pth')
    if not osp.isfile(ckpt):
        raise FileNotFoundError(
            f'{ckpt} does not exist: the finetune_dos rows start from the '
            f'dos row of the same seed and --iters. Fix: list dos before '
            'them in --methods (or run --methods dos with this --out '
            'first)')
    init_default_scope('mmdet3d')
    model = MODELS.build(Config.fromfile(row_config(args, 'dos')).model)
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
    head = train_supervised(
        model, labelled, len(names), args.finetune_iters, seed=seed)
    return probe_protocol.segmentation_miou(
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
            row_config(args, method),
            work,
            args.data,
            args.iters,
            seed, {},
            args.threads,
            validate=False)  # time per step: training only
        model, net = runner.model, 'teacher'
        step_seconds = (time.time() - t0) / args.iters
    else:
        init_default_scope('mmdet3d')
        torch.manual_seed(seed)
        model = MODELS.build(Config.fromfile(args.config).model)
        model.init_weights()
        net = 'student'
        if method == 'supervised':
            train_supervised(model, train, len(names), args.iters, seed=seed)
    if method not in FINETUNE:
        res = probe_protocol.linear_probe_miou(
            model,
            train,
            val,
            names,
            net=net,
            cfg=evaluation.ProbeConfig(seed=seed))
    summary = summarise(res, HEAD)
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
    load = probe_protocol
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


def run_seed_fresh(args, method: str, seed: int) -> dict:
    """:func:`run_seed` with the scans loaded in this process (the target
    of a fresh process)."""
    return run_seed(args, method, seed, *load_protocol(args))


def write_results(args, runs: list, final: bool = False) -> int:
    """``results.json`` after each run; with ``final`` also the table
    ``results.md``, printed."""
    payload = dict(
        settings={
            k: v
            for k, v in vars(args).items()
        },
        runs=runs,
        paired=paired_differences(runs))
    md = table(runs) if final else None
    benchmark_runs.write_results(args.out, payload,
                                 None if md is None else md + '\n')
    if final:
        print(md)
    return 0


def _key(run: dict) -> tuple:
    return run['method'], run['seed']


def run_benchmark(args) -> int:
    """The benchmark of ``args`` (``tools/benchmark_ssl.py``'s options):
    every (row, seed) not yet in ``args.out``, or with ``args.merge`` only
    the table of those folders."""
    os.makedirs(args.out, exist_ok=True)
    if args.merge:
        return write_results(
            args, benchmark_runs.merge_runs(args.merge, _key), final=True)
    synthetic.generate_dataset(args.data, args.num_train, args.num_val, 0)
    scans = load_protocol(args) if args.in_process else None
    jobs = [((method, seed), run_seed_fresh, (args, method,
                                              seed)) if scans is None else
            ((method, seed), run_seed, (args, method, seed, *scans))
            for seed in args.seeds for method in args.methods]
    runs = benchmark_runs.run_pending(args.out, jobs, _key,
                                      lambda r: write_results(args, r), scans
                                      is None)
    return write_results(args, runs, final=True)


def parse_args(argv=None):
    p = benchmark_runs.benchmark_parser('The SSL benchmark on synthetic LiDAR',
                                        'work_dirs/benchmark_ssl',
                                        'data/synthetic', [0, 1, 2])
    p.add_argument(
        '--config',
        default=CONFIG,
        help='the dos row, and the architecture of the random, supervised '
        'and fine-tuning rows')
    p.add_argument(
        '--row-config',
        nargs=2,
        action='append',
        metavar=('ROW', 'CONFIG'),
        help='pretrain ROW with CONFIG instead of its own (repeatable)')
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
    return p.parse_args(argv)


def main(argv=None) -> int:
    """``tools/benchmark_ssl.py``: parse ``argv`` and run."""
    return run_benchmark(parse_args(argv))
