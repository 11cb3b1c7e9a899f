"""The detection benchmark on synthetic LiDAR (``tools/benchmark_det.py``):
the calibration of the scratch arm on val, then seeds x label fractions x
arms on the test split, as paired differences with Student-t 95 %
intervals (docs/detection.md).

A folder holds one protocol (the configs' length and rate); the runs go
through :mod:`.runs` (a fresh process each, ``results.json`` rewritten
after every run, resumable, merged in parts).
"""
import json
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

from . import detection_protocol as det
from . import runs as benchmark_runs
from .detection_tables import ARMS, summarise, to_markdown

CONFIG = osp.join(det.REPO, 'configs', 'dos', 'pretrain_demo.py')


def _key(run: dict) -> tuple:
    return run['arm'], run['seed'], run['fraction']


def _protocol(run: dict) -> tuple:
    return run.get('iters'), run.get('lr')


def check_one_protocol(runs: Sequence[dict], where: str) -> None:
    """Refuse runs of different lengths or rates in one table."""
    found = {_protocol(r) for r in runs}
    if len(found) > 1:
        raise SystemExit(
            f'error: {where} holds runs of different protocols '
            f'(iterations, rate) {sorted(found, key=str)}: a table compares '
            'arms under one protocol. Fix: another --out, or merge one '
            'protocol at a time')


def merge(dirs: Sequence[str]) -> List[dict]:
    """The runs of several folders; a run measured twice, or runs of
    different protocols, are an error."""
    runs = benchmark_runs.merge_runs(dirs, _key)
    check_one_protocol(runs, 'the merged folders')
    return runs


def write_results(out: str, runs: List[dict], settings: dict) -> dict:
    """``results.json`` (settings, summary, every run) and ``results.md``,
    each written atomically; returns the summary."""
    summary = summarise(runs)
    benchmark_runs.write_results(
        out, dict(settings=settings, summary=summary, runs=runs),
        to_markdown(summary))
    return summary


def prepare_data(data: str, num_train: int, num_val: int,
                 num_test: int) -> None:
    """The benchmark's synthetic scans (train pool, val for calibration,
    test for scoring), generated once with dataset seed 0."""
    from dos_mm.datasets import synthetic
    synthetic.generate_dataset(data, num_train, num_val, 0, num_test=num_test)


def pretrained_backbone(out: str, config: str, data: str, iters: int,
                        seed: int, threads: Optional[int]) -> str:
    """The converted teacher backbone of this seed's DOS pretraining on the
    training pool (pretrained once, reused by every fraction and arm)."""
    from dos_mm import apis, converters
    work = osp.join(out, f'pretrain_seed{seed}')
    path = osp.join(work, 'dos_centerpoint.pth')
    if osp.isfile(path):
        return path
    ckpt = osp.join(work, f'iter_{iters}.pth')
    if not osp.isfile(ckpt):
        apis.pretrain(
            config, work, data, iters, seed, {}, threads, validate=False)
    state, _ = converters.convert_state_dict(
        converters.load_dos_checkpoint(ckpt)['state_dict'], 'centerpoint')
    converters.save_converted(state, path, dict(seed=seed, iter=iters))
    return path


def transfer_run(out: str, data: str, config: str, seed: int, fraction: float,
                 arm: str, pretrain_iters: int, det_iters: Optional[int],
                 threads: Optional[int]) -> dict:
    """One run: ``arm`` fine-tuned on ``seed``'s labelled split of
    ``fraction`` and scored on the test split (the seed's DOS pretraining
    first, once, when the arm needs it)."""
    ckpt = pretrained_backbone(out, config, data, pretrain_iters, seed,
                               threads) if arm in det.PRETRAINED_ARMS else None
    ann = det.labelled_split(data, fraction, seed)
    start = time.time()
    res = det.detection_transfer(
        data,
        osp.join(out, f'seed{seed}_{fraction:g}'), (arm, ),
        ckpt,
        ann,
        det_iters,
        seed=seed,
        threads=threads)[arm]
    print(f'[benchmark_det] seed {seed} fraction {fraction:g} {arm}: '
          f'mAP {res["map"]:.1f}')
    return dict(
        res,
        arm=arm,
        seed=seed,
        fraction=fraction,
        seconds=round(time.time() - start, 1))


def run_benchmark(out: str,
                  data: str,
                  config: str,
                  seeds: Sequence[int],
                  fractions: Sequence[float],
                  arms: Sequence[str],
                  pretrain_iters: int,
                  threads: Optional[int] = None,
                  det_iters: Optional[int] = None,
                  settings: Optional[dict] = None,
                  fresh: bool = True) -> dict:
    """Every (seed, fraction, arm) not yet in ``out/results.json``, each
    a :func:`transfer_run` in a fresh process (``fresh``) with the
    configs' protocol (or ``det_iters``). Returns the summary."""
    protocol = det.protocol_of('scratch')
    if det_iters:
        protocol['iters'] = det_iters
    check_one_protocol(
        benchmark_runs.read_runs(out) +
        [dict(iters=protocol['iters'], lr=protocol['lr'])],
        f'{out} with this run')
    settings = dict(settings or {}, protocol=protocol)
    jobs = [((arm, seed, fraction), transfer_run,
             (out, data, config, seed, fraction, arm, pretrain_iters,
              det_iters, threads)) for seed in seeds for fraction in fractions
            for arm in arms]
    runs = benchmark_runs.run_pending(
        out, jobs, _key, lambda r: write_results(out, r, settings), fresh)
    return write_results(out, runs, settings)


def calibration_markdown(curves: Dict[str, List[dict]],
                         choice: Optional[dict]) -> str:
    """The scratch curves on val (mAP per evaluated iteration and rate) and
    the choice."""
    iters = sorted({p['iter'] for c in curves.values() for p in c})
    lines = [
        '| peak rate | ' + ' | '.join(str(i) for i in iters) + ' |',
        '|---|' + '---|' * len(iters)
    ]
    for lr, curve in sorted(curves.items(), key=lambda kv: float(kv[0])):
        at = {p['iter']: p['map'] for p in curve}
        lines.append(f'| {lr} | ' +
                     ' | '.join(f'{at[i]:.1f}' if i in at else ''
                                for i in iters) + ' |')
    if choice:
        lines += [
            '', f'Chosen for every arm: peak rate {choice["lr"]:g}, '
            f'{choice["iters"]} iterations (plateau {choice["plateau"]:.1f} '
            f'mAP on val; rule: {choice["rule"]}).'
        ]
    return '\n'.join(lines) + '\n'


def calibrate(out: str,
              data: str,
              fraction: float,
              seed: int,
              rates: Sequence[float],
              iters: int,
              eval_every: int,
              threads: Optional[int] = None,
              settings: Optional[dict] = None) -> dict:
    """Scratch curves on val for each peak rate not yet in
    ``out/calibration.json``, then the choice of :func:`det.choose_protocol`
    over every curve there. Returns the calibration record."""
    path = osp.join(out, 'calibration.json')
    record = dict(curves={})
    if osp.isfile(path):
        with open(path) as f:
            record = json.load(f)
        if (record['iters'], record['eval_every'], record['fraction'],
                record['seed']) != (iters, eval_every, fraction, seed):
            raise SystemExit(
                f'error: {path} holds a calibration of another length, '
                'interval, fraction or seed: use another --out')
    record.update(
        settings or {},
        iters=iters,
        eval_every=eval_every,
        fraction=fraction,
        seed=seed)
    ann = det.labelled_split(data, fraction, seed)
    for lr in rates:
        if f'{lr:g}' in record['curves']:
            continue
        start = time.time()
        curve = det.calibrate_rate(data, osp.join(out, 'runs'), ann, lr, iters,
                                   eval_every, seed, threads)
        record['curves'][f'{lr:g}'] = curve
        record.setdefault('seconds',
                          {})[f'{lr:g}'] = round(time.time() - start, 1)
        print(f'[calibrate] lr {lr:g}: ' +
              ', '.join(f'{p["iter"]}: {p["map"]:.1f}' for p in curve))
        record['choice'] = None
        benchmark_runs.write_record(
            out, 'calibration', record,
            calibration_markdown(record['curves'], None))
    record['choice'] = det.choose_protocol({
        float(k): v
        for k, v in record['curves'].items()
    })
    benchmark_runs.write_record(
        out, 'calibration', record,
        calibration_markdown(record['curves'], record['choice']))
    return record


def parse_args(argv=None):
    p = benchmark_runs.benchmark_parser(
        'The detection benchmark on synthetic LiDAR',
        'work_dirs/benchmark_det', 'data/synthetic_det', [0, 1, 2, 3, 4])
    p.add_argument('--config', default=CONFIG, help='DOS pretraining')
    p.add_argument('--fractions', type=float, nargs='+', default=[0.05, 0.2])
    p.add_argument('--arms', nargs='+', default=list(ARMS), choices=ARMS)
    p.add_argument('--iters', type=int, default=400, help='pretraining')
    p.add_argument(
        '--det-iters',
        type=int,
        default=None,
        help="fine-tuning iterations instead of the configs' "
        'calibrated length (tests; one value per --out)')
    p.add_argument('--num-train', type=int, default=100)
    p.add_argument('--num-val', type=int, default=40)
    p.add_argument('--num-test', type=int, default=120)
    p.add_argument(
        '--calibrate',
        action='store_true',
        help='scratch curves on val and the choice of length '
        'and rate')
    p.add_argument(
        '--rates', type=float, nargs='+', default=[1e-3, 2e-3, 4e-3])
    p.add_argument('--cal-iters', type=int, default=1200)
    p.add_argument('--eval-every', type=int, default=200)
    p.add_argument('--cal-fraction', type=float, default=0.2)
    return p.parse_args(argv)


def main(argv=None) -> int:
    """``tools/benchmark_det.py``: parse ``argv`` and run."""
    args = parse_args(argv)
    settings = {k: v for k, v in vars(args).items() if k != 'merge'}
    if args.merge:
        summary = write_results(args.out, merge(args.merge),
                                dict(settings, merged=args.merge))
        print(to_markdown(summary))
        return 0
    try:
        prepare_data(args.data, args.num_train, args.num_val, args.num_test)
    except (ValueError, OSError) as exc:  # e.g. a folder of other settings
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.calibrate:
        record = calibrate(args.out, args.data, args.cal_fraction,
                           args.seeds[0], args.rates, args.cal_iters,
                           args.eval_every, args.threads, settings)
        print(json.dumps(record['choice'], indent=2))
        return 0
    summary = run_benchmark(
        args.out,
        args.data,
        args.config,
        args.seeds,
        args.fractions,
        args.arms,
        args.iters,
        args.threads,
        args.det_iters,
        settings,
        fresh=not args.in_process)
    print(to_markdown(summary))
    return 0
