"""The CUDA path in one command: ``make cuda-smoke``.

    python tools/cuda_smoke.py [--out work_dirs/cuda_smoke] [--skip NAME ...]

On a machine without a CUDA device it says so and exits 0. On a GPU it
runs, each as one row of ``smoke.json`` / ``smoke.md`` in ``--out``:

* ``env``: tools/check_env.py (versions; CUDA torch with exactly one CUDA
  spconv flavour and mmcv with CUDA ops);
* ``kernels``: our voxeliser, Zipf-Sinkhorn and the softmap loss on CUDA
  against their CPU results, in float32 and under autocast;
* ``spconv``: the demo's SparseEncoder on CUDA against CPU, float32 and
  under fp16 autocast;
* ``ptv3``: the small Point Transformer V3 of configs/dos/pretrain_demo_ptv3.py
  on CUDA against CPU, float32 and under bf16 autocast (the patch
  attention's CUDA kernel with the padding mask), and one backward under
  autocast;
* ``syncs``: host-device synchronisations of one DOS step, as torch's
  CUDA sync debug mode reports them and as ``SyncCounter`` counts them;
* ``train`` / ``train_amp``: a few DOS iterations of
  configs/dos/pretrain_demo.py through tools/train.py on generated scans,
  without and with ``--amp``: final loss, skipped steps, max memory;
* ``speed``: tools/benchmark_speed.py --quick on CUDA;
* ``dist``: tools/dist_train.sh on 2 GPUs, where there are two.

Exit status 1 when a row failed. The GPU figures belong in the README's
CUDA section with the machine they came from.
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

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
CONFIG = osp.join(REPO, 'configs', 'dos', 'pretrain_demo.py')
CHECKS = ('env', 'kernels', 'spconv', 'ptv3', 'syncs', 'train', 'train_amp',
          'speed', 'dist')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='work_dirs/cuda_smoke')
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--skip', nargs='*', default=[], choices=CHECKS)
    p.add_argument(
        '--device',
        default='cuda',
        help='cpu: a dry run of the kernel, spconv and sync rows only, '
        'on CPU against CPU (their code runs; the sync count is CPU\'s)')
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


def _close(a: torch.Tensor, b: torch.Tensor, tol: float) -> float:
    """Max absolute difference, raising when above ``tol``."""
    diff = float((a.detach().float().cpu() -
                  b.detach().float().cpu()).abs().max()) if a.numel() else 0.0
    if not diff <= tol:
        raise AssertionError(f'max difference {diff:.3g} > {tol:g}')
    return diff


def check_env(args) -> dict:
    sys.path.insert(0, osp.join(REPO, 'tools'))
    import check_env as ce
    problems = ce.check() or ce.cuda_problems(*ce._cuda_facts())
    if problems:
        raise AssertionError('; '.join(problems))
    return dict(
        device=torch.cuda.get_device_name(),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        bf16=torch.cuda.is_bf16_supported())


def check_kernels(args) -> dict:
    from dos_mm.functional import (prototype_softmap_kl, zipf_prior,
                                   zipf_sinkhorn)
    from dos_mm.models.data_preprocessors.sparse_voxelize import hard_voxelize
    g = torch.Generator().manual_seed(0)
    pts = torch.rand(20000, 4, generator=g) * torch.tensor([40., 40, 4, 1])
    scan = torch.randint(0, 2, (20000, ), generator=g)
    out = {}
    args_v = ([0, 0, 0, 40, 40, 4], [0.2, 0.2, 0.2], 10, 30000)
    cpu = hard_voxelize(pts, scan, *args_v)
    gpu = hard_voxelize(pts.to(args.device), scan.to(args.device), *args_v)
    for key in ('voxels', 'num_points', 'coors'):
        if not torch.equal(cpu[key], gpu[key].cpu()):
            raise AssertionError(f'hard_voxelize {key} differs on CUDA')
    logits = torch.randn(5000, 512, generator=g) / 0.04
    prior = zipf_prior(512, 1.3)
    ref = zipf_sinkhorn(logits, prior)
    out['sinkhorn_fp32'] = _close(
        zipf_sinkhorn(logits.to(args.device), prior.to(args.device)), ref,
        1e-4)
    for dtype in (torch.bfloat16, torch.float16):
        with torch.autocast(args.device, dtype=dtype):
            got = zipf_sinkhorn(logits.to(args.device), prior.to(args.device))
        out[f'sinkhorn_autocast_{str(dtype)[6:]}'] = _close(got, ref, 1e-4)
    emb = torch.nn.functional.normalize(torch.randn(5000, 64, generator=g))
    protos = torch.nn.functional.normalize(torch.randn(512, 64, generator=g))
    seg = torch.randint(0, 2, (5000, ), generator=g)
    rows = torch.arange(5000)

    def softmap_loss(log_q, device):
        terms = [(rows.to(device), rows.to(device), seg.to(device), 1.0)]
        return prototype_softmap_kl(emb.to(device), protos.to(device), 0.1,
                                    log_q, terms, 2)

    ref = softmap_loss(ref, 'cpu')
    with torch.autocast(args.device, dtype=torch.bfloat16):
        got = softmap_loss(
            zipf_sinkhorn(logits.to(args.device), prior.to(args.device)),
            args.device)
    out['softmap_loss_autocast'] = _close(got, ref, 1e-4)
    return out


def _demo_encoder():
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'models',
                 'demo_sparse_encoder.py'))
    torch.manual_seed(0)
    return MODELS.build(cfg.demo_encoder).eval()


def check_spconv(args) -> dict:
    enc = _demo_encoder()
    g = torch.Generator().manual_seed(0)
    coors = torch.unique(
        torch.cat([
            torch.zeros(8000, 1, dtype=torch.long),
            torch.randint(0, 40, (8000, 1), generator=g),
            torch.randint(0, 1024, (8000, 2), generator=g)
        ], 1),
        dim=0).int()
    feats = torch.randn(len(coors), 4, generator=g)
    with torch.no_grad():
        ref = enc(feats, coors, 1)
        enc.to(args.device)
        got = enc(feats.to(args.device), coors.to(args.device), 1)
        with torch.autocast(args.device, dtype=torch.float16):
            half = enc(feats.to(args.device), coors.to(args.device), 1)
    scale = float(ref.abs().max())
    return dict(
        fp32=_close(got, ref, 1e-3 * scale),
        fp16_autocast=_close(half, ref, 5e-2 * scale),
        fp16_dtype=str(half.dtype))


def check_ptv3(args) -> dict:
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'dos', 'pretrain_demo_ptv3.py'))
    torch.manual_seed(0)
    net = MODELS.build(cfg.model.encoder.backbone).eval()
    g = torch.Generator().manual_seed(0)
    coors = torch.unique(
        torch.cat([
            torch.randint(0, 2, (20000, 1), generator=g),
            torch.randint(0, 200, (20000, 3), generator=g)
        ], 1),
        dim=0)
    feats = torch.randn(len(coors), 4, generator=g)
    dev_feats, dev_coors = feats.to(args.device), coors.to(args.device)
    with torch.no_grad():
        ref = net(feats, coors, 2)[0][-1].features
        net.to(args.device)
        got = net(dev_feats, dev_coors, 2)[0][-1].features
        with torch.autocast(args.device, dtype=torch.bfloat16):
            half = net(dev_feats, dev_coors, 2)[0][-1].features
    net.train()
    with torch.autocast(args.device, dtype=torch.bfloat16):
        levels, _ = net(dev_feats, dev_coors, 2)
    sum(lv.features.float().square().mean() for lv in levels).backward()
    grads = [p.grad for p in net.parameters()]
    scale = float(ref.abs().max())
    return dict(
        fp32=_close(got, ref, 1e-3 * scale),
        bf16_autocast=_close(half.float(), ref, 1e-1 * scale),
        bf16_backward_finite=all(
            g is not None and bool(torch.isfinite(g).all()) for g in grads))


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


DEVICE_ROWS = ('kernels', 'spconv', 'ptv3', 'syncs')
RUNS = dict(
    env=check_env,
    kernels=check_kernels,
    spconv=check_spconv,
    ptv3=check_ptv3,
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
    args = parse_args(argv)
    reason = '' if args.device == 'cpu' else no_gpu_reason()
    if args.device == 'cpu':  # the dry run: the rows that take a device
        args.skip = [c for c in CHECKS if c not in DEVICE_ROWS]
    if reason:
        print(f'[cuda_smoke] {reason}; nothing to check.')
        return 0
    import dos_mm  # noqa: F401  (registries)
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
    with open(osp.join(args.out, 'smoke.json'), 'w') as f:
        json.dump(rows, f, indent=2, default=str)
    with open(osp.join(args.out, 'smoke.md'), 'w') as f:
        f.write(to_markdown(rows))
    print(to_markdown(rows))
    return 0 if all(r['ok'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
