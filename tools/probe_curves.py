"""Plot and tabulate the online-probe curves of pretraining runs.

    python tools/probe_curves.py --out docs/benchmarks/probe_curve \
        dos=work_dirs/curve/dos softmaps=work_dirs/curve/softmaps

Each run is NAME=WORK_DIR of a ``tools/train.py`` run whose config has the
online probe; what is written: ``dos_mm/experiments/probe_curve.py``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.probe_curve import curve_report  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('runs', nargs='+', metavar='NAME=WORK_DIR')
    p.add_argument('--out', required=True, help='folder of the record')
    args = p.parse_args(argv)
    runs = {}
    for item in args.runs:
        name, sep, folder = item.partition('=')
        if not sep or not name or not folder:
            print(f'error: {item!r} is not NAME=WORK_DIR', file=sys.stderr)
            return 2
        runs[name] = folder
    try:
        curve_report(runs, args.out)
    except ValueError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'{args.out}/probe_curves.md, probe_curves.png')
    return 0


if __name__ == '__main__':
    sys.exit(main())
