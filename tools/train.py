"""Train a dos_mm / mmdet3d config with mmengine's Runner.

Same flags as mmdet3d's ``tools/train.py``. Examples::

    python tools/train.py configs/dos/pretrain_waymo.py
    python tools/train.py configs/dos/pretrain_demo.py --cfg-options \
        train_cfg.max_iters=20
    tools/dist_train.sh configs/dos/pretrain_waymo.py 8
"""
import argparse
import os
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import dos_mm  # noqa: E402,F401  (registers the modules, applies fixes)
from dos_mm.utils import check_info_files  # noqa: E402
from dos_mm.utils import end_launch, load_config, setup_launch  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision (bf16 on CUDA)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr with the total batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or the latest one in the '
        'work dir when no path is given')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_cfg.max_iters=20')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch CPU threads (default: all cores, or 1 per process when '
        'several processes share a machine)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_cfg(args) -> Config:
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    if args.amp:
        # the guard, where the config has it, stays: it tells the teacher
        # (and the logs) about steps the loss scaler skips
        guarded = cfg.optim_wrapper.get('type') == 'NonFiniteGuardOptimWrapper'
        cfg.optim_wrapper.type = ('NonFiniteGuardAmpOptimWrapper'
                                  if guarded else 'AmpOptimWrapper')
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
            cfg.optim_wrapper['dtype'] = 'bfloat16'
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise SystemExit(
                f'--resume {args.resume}: no such file (working directory '
                f'{os.getcwd()}). Fix: give an iter_N.pth of the work dir, '
                'or --resume without a path to continue from the latest '
                f'checkpoint in {cfg.work_dir}')
        cfg.resume, cfg.load_from = True, args.resume
    setup_launch(cfg, args.threads)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = build_cfg(args)
    check_info_files(cfg)  # a clear error before workers hit the file
    runner = Runner.from_cfg(cfg)
    runner.train()
    end_launch()


if __name__ == '__main__':
    main()
