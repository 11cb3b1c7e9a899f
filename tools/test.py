"""Test (evaluate) a dos_mm / mmdet3d config with mmengine's Runner.

Same flags as mmdet3d's ``tools/test.py``::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]
    tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import dos_mm  # noqa: E402,F401
from dos_mm.utils import end_launch, load_config, setup_launch  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--allow-partial-checkpoint',
        action='store_true',
        help='evaluate even when the checkpoint leaves model tensors at '
        'their initial values or holds tensors the model lacks (refused '
        'by default: the metric would not be the checkpoint\'s)')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def checked_checkpoint_path(path: str) -> str:
    """``path``, or a clear error when it is not a file."""
    if not osp.isfile(path):
        raise SystemExit(
            f'tools/test.py: checkpoint {path!r} is not a file (working '
            f'directory {os.getcwd()}). Fix: give the .pth written by '
            'tools/train.py, e.g. work_dirs/<config>/iter_N.pth')
    return path


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    cfg.load_from = checked_checkpoint_path(args.checkpoint)
    partial = args.allow_partial_checkpoint
    cfg.setdefault('default_hooks', {})['checkpoint_check'] = dict(
        type='CheckpointCheckHook', allow_partial=partial, allow_extra=partial)
    setup_launch(cfg, args.threads)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    end_launch()
    return metrics


if __name__ == '__main__':
    main()
