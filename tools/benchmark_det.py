"""The detection benchmark on synthetic LiDAR: calibrate the scratch arm on
val, then CenterPoint from scratch, from DOS (two recipes) and on frozen DOS
and random encoders, over seeds and label fractions, scored on the test
split as paired differences with their 95 % intervals (docs/detection.md).

    # 1. calibration (scratch only, val split): the length and rate then
    #    written into configs/centerpoint/*_synthetic-3d.py
    python tools/benchmark_det.py --calibrate --rates 1e-3 2e-3 4e-3 \
        --cal-iters 1200 --eval-every 200 --out work_dirs/det_calibration
    # 2. the benchmark with the configs' protocol, in parts, then merged
    python tools/benchmark_det.py --seeds 0 1 --out work_dirs/det/p1
    python tools/benchmark_det.py --merge DIR_A DIR_B --out work_dirs/det

Runs already in --out are skipped, so an interrupted benchmark resumes.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import dos_mm  # noqa: E402,F401
from dos_mm.evaluation import detection_benchmark as bench  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='work_dirs/benchmark_det')
    p.add_argument('--data', default='data/synthetic_det')
    p.add_argument('--config', default=CONFIG, help='DOS pretraining')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    p.add_argument('--fractions', type=float, nargs='+', default=[0.05, 0.2])
    p.add_argument(
        '--arms', nargs='+', default=list(bench.ARMS), choices=bench.ARMS)
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
    p.add_argument('--threads', type=int, default=None)
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
    p.add_argument(
        '--merge',
        nargs='+',
        metavar='DIR',
        help='only tabulate the results.json of these folders '
        'into --out')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = {k: v for k, v in vars(args).items() if k != 'merge'}
    if args.merge:
        summary = bench.write_results(args.out, bench.merge(args.merge),
                                      dict(settings, merged=args.merge))
        print(bench.to_markdown(summary))
        return 0
    try:
        bench.prepare_data(args.data, args.num_train, args.num_val,
                           args.num_test)
    except (ValueError, OSError) as exc:  # e.g. a folder of other settings
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.calibrate:
        record = bench.calibrate(args.out, args.data, args.cal_fraction,
                                 args.seeds[0], args.rates, args.cal_iters,
                                 args.eval_every, args.threads, settings)
        print(json.dumps(record['choice'], indent=2))
        return 0
    summary = bench.run_benchmark(args.out, args.data, args.config, args.seeds,
                                  args.fractions, args.arms, args.iters,
                                  args.threads, args.det_iters, settings)
    print(bench.to_markdown(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
