"""tools/dist_train.sh: DDP through torchrun, gloo on CPU."""
import os
import socket
import subprocess
import sys

import pytest
import torch

from ..conftest import REPO, TINY_CONFIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.dist
def test_two_process_pretraining_runs_and_saves(tmp_path, synthetic_root):
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        PORT=str(free_port()),
        OMP_NUM_THREADS='1',
        CUDA_VISIBLE_DEVICES='')  # the CPU (gloo) path, also on GPU boxes
    cmd = [
        'bash',
        str(REPO / 'tools' / 'dist_train.sh'),
        str(TINY_CONFIG), '2', '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_iters=3',
        f'train_dataloader.dataset.data_root={synthetic_root}/',
        'train_dataloader.batch_size=1', 'default_hooks.checkpoint.interval=3'
    ]
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    assert 'backend' in log and 'gloo' in log
    ckpt = torch.load(
        tmp_path / 'iter_3.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 3
