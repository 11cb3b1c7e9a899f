"""The CUDA path beyond the parity tests (``make cuda-smoke`` runs
``tests/test_device`` first, then ``tools/cuda_smoke.py``, this module).

On a machine without a CUDA device it says so and exits 0. On a GPU it
runs, each as one row of ``smoke.json`` / ``smoke.md`` in ``--out``:

* ``env``: tools/check_env.py (versions; CUDA torch with exactly one CUDA
  spconv flavour and mmcv with CUDA ops);
* ``syncs``: host-device synchronisations of one DOS step, as torch's
  CUDA sync debug mode reports them and as ``SyncCounter`` counts them;
* ``train`` / ``train_amp``: a few DOS iterations of
  configs/dos/pretrain_demo.py through tools/train.py on generated scans,
  without and with ``--amp``: final loss, skipped steps, max memory;
* ``speed``: tools/benchmark_speed.py --quick on CUDA;
* ``dist``: tools/dist_train.sh on 2 GPUs, where there are two.

Exit status 1 when a row failed. The GPU figures belong in docs/cuda.md
with the machine they came from.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
import traceback
import warnings

import numpy as np
import torch

from dos_mm.utils.atomic_write import atomic_write_text

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')
CHECKS = ('env', 'syncs', 'train', 'train_amp', 'speed', 'dist')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='The CUDA path in one command')
    p.add_argument('--out', default='work_dirs/cuda_smoke')
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--skip', nargs='*', default=[], choices=CHECKS)
    p.add_argument(
        '--device',
        default='cuda',
        help='cpu: a dry run of the sync row only (its code runs; the '
        'count is CPU\'s)')
    return p.parse_args(argv)


def no_gpu_reason() -> str:
    """Why there is nothing to check here ('' when there is a GPU)."""
    if not torch.version.cuda:
        return (f'no GPU: torch {torch.__version__} is a CPU build; on a '
                'CUDA machine `make install` installs a CUDA torch')
    if not torch.cuda.is_available():
        return (f'no GPU: torch {torch.__version__} (CUDA '
                f'{torch.version.cuda}) sees no CUDA device')
    return ''


def check_env(args) -> dict:
    """tools/check_env.py in its own process (it must run where dos_mm
    cannot import, so it stands alone)."""
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'check_env.py')],
        capture_output=True,
        text=True)
    if proc.returncode != 0:
        raise AssertionError(proc.stdout[-2000:] + proc.stderr[-2000:])
    return dict(
        device=torch.cuda.get_device_name(),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        bf16=torch.cuda.is_bf16_supported())


def check_syncs(args) -> dict:
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.logging import MessageHub
    from mmengine.registry import init_default_scope

    from dos_mm.datasets.transforms import DOSMultiView, PackDOSInputs
    from dos_mm.engine import NonFiniteGuardOptimWrapper
    from dos_mm.utils import SyncCounter
    init_default_scope('mmdet3d')
    MessageHub.get_instance('cuda_smoke')
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model).to(args.device).train()
    model.init_weights()
    iters = cfg.train_cfg.max_iters  # mid-run values: every warm-up over
    model.set_schedule(**model.schedule_at(iters // 2, iters))
    opt = NonFiniteGuardOptimWrapper(
        torch.optim.AdamW(model.student.parameters(), lr=1e-3))
    rng = np.random.default_rng(0)
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()

    def step():
        pts = [
            np.c_[rng.uniform(-30, 30, (20000, 2)),
                  rng.uniform(-2, 3, (20000, 2))].astype(np.float32)
            for _ in range(2)
        ]
        batch = pseudo_collate([pack(mv(dict(points=p))) for p in pts])
        loss = model(**model.data_preprocessor(batch, True), mode='loss')
        opt.update_params(loss['loss'])
        model.teacher_update()

    step()
    cuda = args.device == 'cuda'
    if cuda:
        torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        if cuda:
            torch.cuda.set_sync_debug_mode('warn')
        try:
            with SyncCounter() as counted:
                step()
        finally:
            if cuda:
                torch.cuda.set_sync_debug_mode(0)
    debug = sum('synchroniz' in str(w.message) for w in caught)
    return dict(
        cuda_sync_debug=debug if cuda else None,
        sync_counter=counted.total,
        top_sites=counted.by_site.most_common(8))


def _data(args) -> str:
    from dos_mm.datasets import synthetic
    root = osp.join(args.out, 'data')
    synthetic.generate_dataset(root, 8, 2, 0)
    return root


def _train(args, amp: bool) -> dict:
    work = osp.join(args.out, 'train_amp' if amp else 'train')
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), CONFIG, '--work-dir', work,
        '--cfg-options', f'train_cfg.max_iters={args.iters}',
        f'train_dataloader.dataset.data_root={osp.abspath(_data(args))}/',
        'default_hooks.logger.interval=1'
    ] + (['--amp'] if amp else [])
    start = time.time()
    subprocess.run(cmd, check=True)
    rows = []
    for root, _, files in os.walk(work):
        if 'scalars.json' in files:
            with open(osp.join(root, 'scalars.json')) as f:
                rows += [json.loads(line) for line in f]
    losses = [r['loss'] for r in rows if 'loss' in r]
    if len(losses) < args.iters or not np.isfinite(losses).all():
        raise AssertionError(f'losses {losses}')
    return dict(
        seconds=round(time.time() - start, 1),
        first_loss=losses[0],
        last_loss=losses[-1],
        max_memory_mb=max((r.get('memory', 0) for r in rows), default=0),
        skipped_steps=max((r.get('train/nonfinite_steps', 0) for r in rows),
                          default=0))


def check_speed(args) -> dict:
    out = osp.join(args.out, 'speed.json')
    subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'benchmark_speed.py'), '--quick', '--out', out
    ],
                   check=True)
    with open(out) as f:
        res = json.load(f)
    return {
        k: res[k]
        for k in ('step_time_ratio', 'peak_memory_ratio') if k in res
    }


def check_dist(args) -> dict:
    if torch.cuda.device_count() < 2:
        return dict(skipped=f'{torch.cuda.device_count()} GPU')
    work = osp.join(args.out, 'dist')
    subprocess.run([
        'bash',
        osp.join(REPO, 'tools', 'dist_train.sh'), CONFIG, '2', '--work-dir',
        work, '--cfg-options', f'train_cfg.max_iters={args.iters}',
        f'train_dataloader.dataset.data_root={osp.abspath(_data(args))}/'
    ],
                   check=True)
    return dict(gpus=2)


DEVICE_ROWS = ('syncs', )
RUNS = dict(
    env=check_env,
    syncs=check_syncs,
    train=lambda a: _train(a, False),
    train_amp=lambda a: _train(a, True),
    speed=check_speed,
    dist=check_dist)


def to_markdown(rows: list) -> str:
    lines = ['| check | ok | seconds | result |', '|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['check']} | {'yes' if r['ok'] else 'NO'} | "
                     f"{r['seconds']} | {json.dumps(r['result'])} |")
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    """``tools/cuda_smoke.py``: parse ``argv`` and run the rows."""
    args = parse_args(argv)
    reason = '' if args.device == 'cpu' else no_gpu_reason()
    if args.device == 'cpu':  # the dry run: the rows that take a device
        args.skip = [c for c in CHECKS if c not in DEVICE_ROWS]
    if reason:
        print(f'[cuda_smoke] {reason}; nothing to check.')
        return 0
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in CHECKS:
        if name in args.skip:
            continue
        print(f'[cuda_smoke] {name} ...', flush=True)
        start = time.time()
        try:
            result, ok = RUNS[name](args), True
        except Exception as exc:  # a row fails, the others still run
            traceback.print_exc()
            result, ok = f'{type(exc).__name__}: {exc}', False
        rows.append(
            dict(
                check=name,
                ok=ok,
                seconds=round(time.time() - start, 1),
                result=result))
        print(
            f'[cuda_smoke] {name}: {"ok" if ok else "FAILED"} {result}',
            flush=True)
    atomic_write_text(
        osp.join(args.out, 'smoke.json'),
        json.dumps(rows, indent=2, default=str))
    atomic_write_text(osp.join(args.out, 'smoke.md'), to_markdown(rows))
    print(to_markdown(rows))
    return 0 if all(r['ok'] for r in rows) else 1
