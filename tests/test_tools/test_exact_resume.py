"""A run killed with SIGKILL and resumed with --resume ends with the same
weights and the same loss curve as an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from ..conftest import REPO, TINY_CONFIG
from .test_train import logged

ITERS, SAVE = 8, 4


def command(work_dir, data_root, *extra):
    return [
        sys.executable,
        str(REPO / 'tools/train.py'),
        str(TINY_CONFIG), '--work-dir',
        str(work_dir), '--cfg-options', f'train_cfg.max_iters={ITERS}',
        f'train_dataloader.dataset.data_root={data_root}/',
        f'default_hooks.checkpoint.interval={SAVE}', *extra
    ]


def final_state(work_dir):
    return torch.load(
        work_dir / f'iter_{ITERS}.pth', map_location='cpu', weights_only=False)


@pytest.mark.parametrize('workers', [0, 2])
def test_sigkill_then_resume_equals_uninterrupted(tmp_path, synthetic_root,
                                                  workers):
    # two threads: dos_mm's spconv CPU fix makes them bit-reproducible
    # (on CPU also on GPU machines: CUDA kernels are not bit-reproducible)
    env = dict(os.environ, OMP_NUM_THREADS='2', CUDA_VISIBLE_DEVICES='')
    loader = [f'train_dataloader.num_workers={workers}']
    straight = tmp_path / 'straight'
    proc = subprocess.run(
        command(straight, synthetic_root, *loader),
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    killed = tmp_path / 'killed'
    run = subprocess.Popen(
        command(killed, synthetic_root, *loader),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not (killed / 'last_checkpoint').exists():
        assert run.poll() is None, 'the run ended before it was killed'
        assert time.time() < deadline
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)  # mid-training, no clean-up
    assert run.wait() == -signal.SIGKILL
    assert not (killed / f'iter_{ITERS}.pth').exists()
    proc = subprocess.run(
        command(killed, synthetic_root, *loader, '--resume'),
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    a, b = final_state(straight), final_state(killed)
    assert a['meta']['iter'] == b['meta']['iter'] == ITERS
    for key, value in a['state_dict'].items():
        assert torch.allclose(
            value.float(), b['state_dict'][key].float(), atol=1e-6), key
    # the resumed run continues the same loss curve
    full = logged(straight, 'loss')
    assert len(full) == ITERS
    resumed = logged(killed, 'loss')[-(ITERS - SAVE):]
    assert resumed == pytest.approx(full[SAVE:], abs=1e-6)
