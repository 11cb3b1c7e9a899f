"""Plot and tabulate the online-probe curves of pretraining runs.

    python tools/probe_curves.py --out docs/benchmarks/probe_curve \
        dos=work_dirs/curve/dos softmaps=work_dirs/curve/softmaps

Each run is NAME=WORK_DIR of a ``tools/train.py`` run whose config has the
online probe; NAME@SEED marks the seeds of one row (``dos@1=...``: the run
with ``randomness.seed=1``; a NAME alone is seed 0), paired with the same
seed of the next row. What is written: ``dos_mm/experiments/probe_curve.py``.
``--sizing`` names the result folders of ``tools/benchmark_ssl.py`` runs
over seeds (rows named as the runs here, e.g. ``masked_distillation``): the
table of differences between adjacent runs then also gives the seeds a
benchmark would need to resolve each. ``--cost`` also prints the seconds
of each evaluation against the training before it, from each run's latest
log (logger interval dividing the validation interval).
"""
import argparse
import glob
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments import probe_curve  # noqa: E402
from dos_mm.experiments.runs import merge_runs  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('runs', nargs='+', metavar='NAME[@SEED]=WORK_DIR')
    p.add_argument('--out', required=True, help='folder of the record')
    p.add_argument('--cost', action='store_true', help='evaluation seconds')
    p.add_argument(
        '--sizing',
        nargs='+',
        metavar='DIR',
        help='benchmark_ssl.py result folders giving the per-seed standard '
        'deviation of each difference')
    args = p.parse_args(argv)
    runs = {}
    for item in args.runs:
        name, sep, folder = item.partition('=')
        if not sep or not name or not folder:
            print(f'error: {item!r} is not NAME=WORK_DIR', file=sys.stderr)
            return 2
        runs[name] = folder
    try:
        sizing = merge_runs(args.sizing, lambda r:
                            (r['method'], r['seed'])) if args.sizing else None
        probe_curve.curve_report(runs, args.out, sizing)
    except ValueError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'{args.out}/probe_curves.md, probe_curves.png')
    for name, folder in runs.items() if args.cost else ():
        logs = sorted(glob.glob(osp.join(folder, '*', '*.log')))
        with open(logs[-1]) as f:
            cost = probe_curve.evaluation_cost(f.readlines())
        print(f'{name}: evaluation s {cost["evaluation_s"]}, training s '
              f'before each {cost["training_s"]}, share '
              f'{[round(v, 3) for v in cost["share"]]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
