"""The dos_mm demo: pretrain DOS on synthetic LiDAR, linear-probe it, and
fine-tune CenterPoint from it and from scratch.

``tools/demo.py`` is its command line (what `make demo` runs):

1. generates the synthetic scans if missing (data/synthetic),
2. pretrains with configs/dos/pretrain_demo.py (mmengine Runner; checkpoints
   in the work dir),
3. fits a linear probe on the frozen teacher backbone with a few labelled
   scans and evaluates it on held-out scans, against the same probe on a
   randomly initialised backbone,
4. converts the teacher backbone and fine-tunes CenterPoint
   (configs/centerpoint/centerpoint_voxel01_{dos-ft,scratch}_synthetic-3d.py:
   the pretrained-encoder recipe beside scratch, BatchNorm recomputed before
   testing) from it and from scratch on the same labelled scans, through
   the code path of tools/train.py, and tests both on the held-out scans
   with the configs' test loop (a short run: the calibrated protocol and
   its intervals are tools/benchmark_det.py's),
5. writes report.json, report.md and pictures into the work dir.
"""
import argparse
import os
import os.path as osp
import sys
import time

import torch
from mmengine.registry import init_default_scope
from tqdm import tqdm

from dos_mm import converters
from dos_mm.apis import pretrain
from dos_mm.datasets.synthetic import CLASSES, RAW_TO_INDEX, generate_dataset
from dos_mm.datasets.synthetic.classes import HEAD_CLASSES
from .demo_report import write_demo_report
from .detection_protocol import detection_transfer, labelled_split, protocol_of
from .probe_protocol import (linear_probe_miou, load_info_file, load_infos,
                             load_scan)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')


def random_model(args, runner):
    """The same architecture, freshly initialised (seeded)."""
    from mmdet3d.registry import MODELS
    torch.manual_seed(args.seed)
    model = MODELS.build(runner.cfg.model)
    model.init_weights()
    return model


def convert_teacher(runner, path: str) -> str:
    """The pretrained teacher backbone as a CenterPoint checkpoint."""
    state, _ = converters.convert_state_dict(runner.model.state_dict(),
                                             'centerpoint')
    converters.save_converted(
        state, path,
        dict(net='teacher', target='centerpoint', iter=runner.iter))
    return path


def run_demo(args) -> int:
    """The demo with ``tools/demo.py``'s options ``args``; 0 on success,
    2 on bad input (said on stderr)."""
    if not 1 <= args.labelled <= args.num_train:
        print(
            f'error: --labelled must be in [1, --num-train], got '
            f'{args.labelled}',
            file=sys.stderr)
        return 2
    os.makedirs(args.work_dir, exist_ok=True)
    timings = {}
    t0 = time.time()
    print(f'[demo] 1/5 synthetic data in {args.data}')
    try:
        generate_dataset(
            args.data,
            args.num_train,
            args.num_val,
            args.seed,
            progress=lambda it: tqdm(it, desc='scans'))
    except (ValueError, OSError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    ann_file = labelled_split(args.data, args.labelled / args.num_train,
                              args.seed)
    timings['data_s'] = time.time() - t0

    t0 = time.time()
    print(f'[demo] 2/5 DOS pretraining ({args.config})')
    runner = pretrain(
        args.config,
        args.work_dir,
        args.data,
        args.iters,
        args.seed,
        threads=args.threads)
    dos = runner.model
    timings['pretrain_s'] = time.time() - t0

    t0 = time.time()
    print('[demo] 3/5 linear probes (frozen backbones)')
    init_default_scope('mmdet3d')
    names = [c.name for c in CLASSES]
    train_infos = load_info_file(osp.join(args.data, ann_file))
    val_infos = load_infos(args.data, 'val')
    train = [load_scan(args.data, i, RAW_TO_INDEX) for i in train_infos]
    val = [load_scan(args.data, i, RAW_TO_INDEX) for i in val_infos]
    results = {}
    for name, model in (('dos', dos), ('random', random_model(args, runner))):
        results[name] = linear_probe_miou(model, train, val, names)
        print(f'  {name:<7} mIoU {results[name]["miou"]:.1f}')
    timings['probe_s'] = time.time() - t0

    detection = None
    if args.det_iters > 0:
        t0 = time.time()
        print(f'[demo] 4/5 CenterPoint from DOS (pretrained-encoder recipe) '
              'and from scratch '
              f'({args.labelled} labelled scans, {args.det_iters} '
              'iterations each)')
        ckpt = convert_teacher(runner,
                               osp.join(args.work_dir, 'dos_centerpoint.pth'))
        detection = detection_transfer(
            args.data,
            args.work_dir, ('dos_ft', 'scratch'),
            ckpt,
            ann_file,
            args.det_iters,
            seed=args.seed,
            threads=args.threads,
            picture=True,
            test_split='val')
        for arm, res in detection.items():
            print(f'  {arm:<7} mAP {res["map"]:.1f}')
        timings['detection_s'] = time.time() - t0

    print('[demo] 5/5 report')
    report = write_demo_report(
        args.work_dir,
        dos,
        results,
        val,
        names,
        HEAD_CLASSES,
        timings,
        settings=dict(
            vars(args), iters=runner.max_iters, labelled_split=ann_file),
        detection=detection,
        protocol=protocol_of('scratch'))
    print('\n' + report['table'])
    if detection:
        print('\n' + report['detection_table'])
    print(f'\nreport: {osp.join(args.work_dir, "report.md")}')
    return 0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='The dos_mm demo')
    p.add_argument('--work-dir', default='work_dirs/demo')
    p.add_argument('--data', default='data/synthetic')
    p.add_argument('--config', default=CONFIG)
    p.add_argument(
        '--num-train',
        type=int,
        default=60,
        help='unlabelled pretraining scans')
    p.add_argument('--num-val', type=int, default=40, help='held-out scans')
    p.add_argument(
        '--labelled',
        type=int,
        default=10,
        help='labelled scans for the probe and the detectors (a seeded '
        'split of train, made by the label-split tool)')
    p.add_argument(
        '--iters',
        type=int,
        default=None,
        help='pretraining iterations (default: the config)')
    p.add_argument(
        '--det-iters',
        type=int,
        default=160,
        help='CenterPoint fine-tuning iterations of each arm, a short run '
        "beside the protocol's calibrated length (0: skip the detection "
        'half)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None)
    return p.parse_args(argv)


def main(argv=None) -> int:
    """``tools/demo.py``: parse ``argv`` and run."""
    return run_demo(parse_args(argv))
