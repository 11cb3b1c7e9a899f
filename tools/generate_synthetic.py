"""Generate synthetic LiDAR street scans in the SemanticKITTI layout.

    python tools/generate_synthetic.py --out data/synthetic --num-scenes 60 \
        --val-scenes 20 --seed 0
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.datasets.synthetic import generate_dataset  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', required=True, help='dataset folder')
    parser.add_argument(
        '--num-scenes', type=int, default=60, help='training scans')
    parser.add_argument(
        '--val-scenes', type=int, default=20, help='validation scans')
    parser.add_argument(
        '--test-scenes',
        type=int,
        default=0,
        help='test scans (the split a protocol scores after fixing its '
        'choices on val; default none)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        info = generate_dataset(
            args.out,
            args.num_scenes,
            args.val_scenes,
            args.seed,
            progress=lambda it: tqdm(it, desc='scans', unit='scan'),
            num_test=args.test_scenes)
    except (ValueError, OSError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'{args.out}: {info["num_train"]} train + {info["num_val"]} val '
          f'scans{f" + {args.test_scenes} test" if args.test_scenes else ""} '
          f'(generator v{info["generator_version"]}, seed '
          f'{info["seed"]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
