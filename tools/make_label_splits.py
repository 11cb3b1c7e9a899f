"""Write deterministic label-efficient subsets of an mmdet3d info file.

    python tools/make_label_splits.py \
        data/semantickitti/semantickitti_infos_train.pkl \
        --fractions 0.001 0.01 0.1 0.2 --seed 0

writes ``semantickitti_infos_train_0p1pct_seed0.pkl``, ``..._1pct_...``,
``..._10pct_...`` and ``..._20pct_...`` next to it (nested splits). The
``*_label{1,10}pct`` configs read them through ``ann_file``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.datasets.label_splits import write_label_splits  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('info_file')
    p.add_argument(
        '--fractions', type=float, nargs='+', default=[0.001, 0.01, 0.1, 0.2])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out-dir', default='', help='default: next to the file')
    args = p.parse_args(argv)
    try:
        written = write_label_splits(args.info_file, args.fractions, args.seed,
                                     args.out_dir)
    except (OSError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    for fraction, path in written.items():
        print(f'{fraction:g}: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
