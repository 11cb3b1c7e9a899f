"""Prepare a dataset for DOS pretraining and mmdet3d fine-tuning.

    python tools/create_data.py nuscenes --root-path data/nuscenes \
        --version v1.0-trainval [--gt-database] [--label-splits]
    python tools/create_data.py semantickitti --root-path data/semantickitti
    python tools/create_data.py scannet --root-path data/scannet --workers 8
    make waymo-env   # once: .venv-waymo with tensorflow + waymo-open-dataset
    python tools/create_data.py waymo --root-path data/waymo --workers 8

Runs mmdet3d's own converters (nuscenes-devkit for nuScenes) and writes
mmdet3d's v2 info files into the dataset folder, then checks every point
file the infos name (``*.check.json``; ``--drop-bad`` removes unreadable
samples). Interrupted runs resume: finished steps (``<root>/.dos_prep``) and
finished ScanNet scene chunks are not redone, and info files appear only
when complete; info files it replaces are kept under
``<root>/.dos_prep/previous/``. ``--label-splits`` also writes the
0.1/1/10/20 % training subsets of the label-efficient configs.
"""
import argparse
import os.path as osp
import subprocess
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.datasets import preparation  # noqa: E402
from dos_mm.datasets.label_splits import write_label_splits  # noqa: E402
from dos_mm.datasets.preparation.resumable import \
    keep_previous_infos  # noqa: E402

DEFAULT_ROOT = {
    'nuscenes': 'data/nuscenes',
    'semantickitti': 'data/semantickitti',
    'scannet': 'data/scannet',
    'waymo': 'data/waymo',
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('dataset', choices=sorted(DEFAULT_ROOT))
    p.add_argument('--root-path', default=None)
    p.add_argument(
        '--version',
        default='v1.0-trainval',
        help='nuScenes: v1.0-trainval, v1.0-test or v1.0-mini')
    p.add_argument('--max-sweeps', type=int, default=10)
    p.add_argument('--workers', type=int, default=4)
    p.add_argument(
        '--gt-database',
        action='store_true',
        help='nuScenes: also the ground-truth database of ObjectSample')
    p.add_argument(
        '--drop-bad',
        action='store_true',
        help='remove samples whose point file is missing or unreadable')
    p.add_argument('--label-splits', action='store_true')
    p.add_argument(
        '--waymo-python',
        default=None,
        help='Waymo: the Python of the Waymo environment (default: '
        '$DOS_WAYMO_PYTHON or .venv-waymo/bin/python)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    root = args.root_path or DEFAULT_ROOT[args.dataset]
    with keep_previous_infos(root):
        return _prepare(args, root)


def _prepare(args, root: str) -> int:
    try:
        if args.dataset == 'nuscenes':
            reports = preparation.prepare_nuscenes(root, args.version,
                                                   args.max_sweeps,
                                                   args.gt_database,
                                                   args.drop_bad)
        elif args.dataset == 'waymo':
            reports = preparation.prepare_waymo(root, args.workers,
                                                args.waymo_python,
                                                args.drop_bad)
        elif args.dataset == 'semantickitti':
            reports = preparation.prepare_semantickitti(root, args.drop_bad)
        else:
            reports = preparation.prepare_scannet(root, args.workers,
                                                  args.drop_bad)
        if args.label_splits:
            train = [
                r['info_file'] for r in reports
                if r['info_file'].endswith('_infos_train.pkl')
            ]
            for info in train:
                for fraction, path in write_label_splits(
                        info, [0.001, 0.01, 0.1, 0.2],
                        skip_too_small=True).items():
                    print(f'label split {fraction:g}: {path}')
    except (OSError, ValueError, ImportError,
            subprocess.CalledProcessError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    bad = sum(len(r['bad']) for r in reports)
    print(f'done: {sum(r["samples"] for r in reports)} samples checked, '
          f'{bad} unreadable' +
          (' (see the *.check.json reports; --drop-bad removes them, or '
           'pretrain with CheckedLoadPointsFromFile(skip_unreadable=True))'
           if bad else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
