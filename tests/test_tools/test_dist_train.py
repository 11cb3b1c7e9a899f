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


@pytest.mark.parametrize('script, args, match', [
    ('dist_train.sh', [], 'expected at least 2 arguments, got 0'),
    ('dist_train.sh', ['{config}', '0'], "positive integer, got '0'"),
    ('dist_train.sh', ['nope.py', '2'], "config 'nope.py' is not a file"),
    ('dist_test.sh', ['{config}', 'nope.pth', '1'
                      ], "checkpoint 'nope.pth' is not a file"),
])
def test_launch_scripts_explain_bad_arguments(script, args, match):
    args = [a.format(config=TINY_CONFIG) for a in args]
    proc = subprocess.run(['bash', str(REPO / 'tools' / script), *args],
                          env=dict(os.environ, PYTHON=sys.executable),
                          capture_output=True,
                          text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert match in proc.stderr
    assert f'usage: tools/{script}' in proc.stderr


def pick_port(port_env):
    """PORT as tools/launch_checks.sh picks it on one machine."""
    script = (f'PY={sys.executable}; NNODES=1; USAGE=x; '
              f'source {REPO}/tools/launch_checks.sh; pick_port; echo $PORT')
    env = {k: v for k, v in os.environ.items() if k != 'PORT'}
    env.update(port_env)
    return subprocess.run(['bash', '-c', script],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=60)


def test_a_taken_port_is_named_or_replaced():
    with socket.socket() as taken:
        taken.bind(('', 0))
        port = taken.getsockname()[1]
        taken.listen()
        given = pick_port(dict(PORT=str(port)))
        assert given.returncode == 2
        assert f'PORT={port} is in use' in given.stderr
        assert 'Fix: PORT=<a free port>' in given.stderr
    with socket.socket() as default:
        try:
            default.bind(('', 29500))  # taken by us, or by someone else
            default.listen()
        except OSError:
            pass
        picked = pick_port({})
        assert picked.returncode == 0, picked.stderr
        assert 'port 29500 is in use' in picked.stderr
        assert int(picked.stdout) != 29500
