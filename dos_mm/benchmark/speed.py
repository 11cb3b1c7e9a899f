"""Measurements of tools/benchmark_speed.py (see its docstring)."""
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from dos_mm.datasets.synthetic import (CLASSES, LidarSpec, sample_scene,
                                       scan_scene)
from dos_mm.datasets.transforms import DOSMultiView, PackDOSInputs
from dos_mm.models.losses import SoftmapLoss
from dos_mm.models.targets import ZipfSinkhornTarget
from dos_mm.models.utils.block_mask import block_mask

TARGETS = dict(
    step_time_ratio=1.6,
    target_share_cpu=0.10,
    target_share_cuda=0.05,
    peak_memory_ratio=1.5,
    pipeline_ms_per_scan=25.0)


def _sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def synthetic_scans(num: int, points: int, channels: int, seed: int = 0):
    """``num`` synthetic scans resampled to ``points`` points, with
    ``channels`` features (zeros beyond x, y, z, intensity) and labels."""
    rng = np.random.default_rng(seed)
    names = {c.raw_id: i for i, c in enumerate(CLASSES)}
    out = []
    for _ in range(num):
        pts, raw = scan_scene(sample_scene(rng), LidarSpec(), rng)
        idx = rng.choice(len(pts), points, replace=points > len(pts))
        pts = pts[idx].copy()
        pts[:, :3] += rng.normal(0, 0.01, (points, 3)).astype(np.float32)
        extra = np.zeros((points, max(channels - 4, 0)), np.float32)
        labels = np.vectorize(names.get)(raw[idx])
        out.append((np.concatenate([pts[:, :channels], extra],
                                   1), torch.from_numpy(labels)))
    return out


def build(config: str, device: str, projector_hidden: Optional[int] = None):
    """The DOS model of ``config`` on ``device``, optionally with another
    projector hidden width."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(config)
    if projector_hidden:
        cfg.model.encoder.head.hidden_channels = projector_hidden
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    model.train()
    return model


def _channels(model) -> int:
    return int(model.student.backbone.in_channels)


def make_steps(model, scans, device: str):
    """Closures for one DOS step and one supervised step."""
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()
    batch = pseudo_collate([pack(mv(dict(points=p))) for p, _ in scans])
    opt = torch.optim.AdamW(model.student.parameters(), lr=1e-4)
    pre = model.data_preprocessor
    feats_dim = model.student.head.projector[0].in_features
    head = torch.nn.Linear(feats_dim, len(CLASSES)).to(device)
    sup_opt = torch.optim.AdamW(
        list(model.student.parameters()) + list(head.parameters()), lr=1e-4)
    points = torch.cat([torch.from_numpy(p) for p, _ in scans]).to(device)
    labels = torch.cat([lbl for _, lbl in scans]).to(device)
    scan_id = torch.cat([
        torch.full((len(p), ), i, dtype=torch.long)
        for i, (p, _) in enumerate(scans)
    ]).to(device)

    def dos_step():
        data = pre(batch, True)
        loss = model(**data, mode='loss')['loss']
        loss.backward()
        opt.step()
        opt.zero_grad()
        model.teacher_update()

    def supervised_step():
        vox = pre.voxelize_scans(points, scan_id, len(scans))
        enc = model.student.features(vox, vox['point_vox'], len(scans))
        logits = head(enc['feats'])[enc['point_cell']]
        loss = F.cross_entropy(logits, labels[vox['point_rows']])
        loss.backward()
        sup_opt.step()
        sup_opt.zero_grad()

    return dos_step, supervised_step


def measure_steps(config: str,
                  points: int,
                  batch: int,
                  reps: int,
                  device: str,
                  projector_hidden: Optional[int] = None) -> Dict[str, float]:
    """Seconds per DOS and supervised step, interleaved, and the seconds
    spent in target generation + loss (forward) within the DOS step."""
    model = build(config, device, projector_hidden)
    scans = synthetic_scans(batch, points, _channels(model))
    dos_step, sup_step = make_steps(model, scans, device)
    spent = [0.0]
    started = []

    def start(module, args):
        _sync(device)
        started.append(time.perf_counter())

    def stop(module, args, out):
        _sync(device)
        spent[0] += time.perf_counter() - started.pop()

    for part in (model.target_generator, model.loss_module):
        part.register_forward_pre_hook(start)
        part.register_forward_hook(stop)
    dos_step(), sup_step()  # warm-up
    times = dict(dos=[], supervised=[], target=[])
    peaks = {}
    for _ in range(reps):
        for name, step in (('dos', dos_step), ('supervised', sup_step)):
            if device == 'cuda':
                torch.cuda.reset_peak_memory_stats()
            spent[0] = 0.0
            _sync(device)
            t = time.perf_counter()
            step()
            _sync(device)
            times[name].append(time.perf_counter() - t)
            if name == 'dos':
                times['target'].append(spent[0])
            if device == 'cuda':
                peaks[name] = max(
                    peaks.get(name, 0),
                    torch.cuda.max_memory_allocated() / 2**20)
    out = {f'{k}_s': float(np.median(v)) for k, v in times.items()}
    for name, peak in peaks.items():
        out[f'{name}_peak_mb'] = peak
    return out


def _proc_status(key: str) -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return float(line.split()[1]) / 1024  # kB -> MB
    raise RuntimeError(f'{key} not in /proc/self/status')


def peak_memory_mb(config: str,
                   points: int,
                   batch: int,
                   kind: str,
                   projector_hidden: Optional[int] = None) -> float:
    """Peak resident-memory growth (MB) of one step of ``kind`` in this
    process (CPU; Linux /proc)."""
    model = build(config, 'cpu', projector_hidden)
    scans = synthetic_scans(batch, points, _channels(model))
    dos_step, sup_step = make_steps(model, scans, 'cpu')
    step = dos_step if kind == 'dos' else sup_step
    step()  # first step allocates optimizer state
    before = _proc_status('VmRSS')
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # reset the peak (VmHWM) to the current RSS
    step()
    return _proc_status('VmHWM') - before


def measure_pipeline(tmp: str, points: int, reps: int) -> float:
    """Milliseconds to load one scan, make two views and block-mask them,
    on one thread."""
    from mmdet3d.datasets.transforms import LoadPointsFromFile
    init_default_scope('mmdet3d')
    pts, _ = synthetic_scans(1, points, 5)[0]
    path = osp.join(tmp, 'scan.bin')
    pts.astype(np.float32).tofile(path)
    load = LoadPointsFromFile(coord_type='LIDAR', load_dim=5, use_dim=5)
    views = DOSMultiView(seed=0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        times = []
        for _ in range(reps + 1):
            t = time.perf_counter()
            res = views(load(dict(lidar_points=dict(lidar_path=path))))
            for v in res['dos_views']:
                xyz = torch.from_numpy(v['points'][:, :3])
                block_mask(xyz, torch.zeros(len(xyz), dtype=torch.long), 1.0,
                           0.6)
            times.append(time.perf_counter() - t)
    finally:
        torch.set_num_threads(threads)
    return 1000 * float(np.median(times[1:]))


def measure_scaling(sizes: Sequence[int],
                    ks: Sequence[int],
                    device: str,
                    reps: int = 3) -> List[Dict]:
    """Target generation + loss (forward) time for N cells x K prototypes
    over two scans."""
    rows = []
    for k in ks:
        target = ZipfSinkhornTarget(k, alpha=1.3).to(device)
        loss_fn = SoftmapLoss()
        for n in sizes:
            g = torch.Generator().manual_seed(0)
            teacher = (torch.rand(n, k, generator=g) * 2 - 1).to(device)
            student = (torch.rand(n, k, generator=g) * 2 - 1).to(device)
            scan = (torch.arange(n) * 2 // n).to(device)
            times = []
            for _ in range(reps + 1):
                _sync(device)
                t = time.perf_counter()
                with torch.no_grad():
                    log_q = target(teacher / 0.07)
                    loss_fn(log_q, student / 0.1, scan, 2)
                _sync(device)
                times.append(time.perf_counter() - t)
            rows.append(
                dict(
                    cells=n,
                    prototypes=k,
                    ms=1000 * float(np.median(times[1:]))))
    return rows


def to_markdown(r: Dict) -> str:
    share_target = TARGETS['target_share_cuda' if r['device'] !=
                           'cpu' else 'target_share_cpu']
    rows = [
        ('step time DOS / supervised', r['step_time_ratio'],
         TARGETS['step_time_ratio'], '{:.2f}'),
        ('target generation share of the DOS step', r['target_share'],
         share_target, '{:.1%}'),
        ('peak memory DOS / supervised', r['peak_memory_ratio'],
         TARGETS['peak_memory_ratio'], '{:.2f}'),
        ('pipeline ms per scan (1 core)', r['pipeline_ms_per_scan'],
         TARGETS['pipeline_ms_per_scan'], '{:.1f}'),
    ]
    lines = [
        f"Device: {r['device']}, {r['threads']} threads; {r['config']}, "
        f"{r['batch']} scans x {r['points_per_scan']} points; "
        f"DOS step {r['steps']['dos_s']:.2f} s "
        f"({r['batch'] / r['steps']['dos_s']:.2f} scans/s), supervised step "
        f"{r['steps']['supervised_s']:.2f} s; peak memory "
        f"{r['memory']['dos_mb']:.0f} / {r['memory']['supervised_mb']:.0f} "
        'MB.', '', '| figure | measured | target | met |', '|---|---|---|---|'
    ]
    for name, value, target, fmt in rows:
        met = 'yes' if value <= target else 'no'
        lines.append(f'| {name} | {fmt.format(value)} | <= '
                     f'{fmt.format(target)} | {met} |')
    var = r.get('projector_variant')
    if var:
        lines += [
            '', f"With a {var['projector_hidden']}-wide projector instead: "
            f"step time ratio {var['step_time_ratio']:.2f}, peak memory "
            f"ratio {var['peak_memory_ratio']:.2f}, target share "
            f"{var['target_share']:.1%} (DOS step "
            f"{var['steps']['dos_s']:.2f} s, {var['dos_mb']:.0f} MB)."
        ]
    lines += ['', '| cells | K | target + loss (ms) |', '|---|---|---|']
    lines += [
        f"| {s['cells']} | {s['prototypes']} | {s['ms']:.1f} |"
        for s in r['scaling']
    ]
    return '\n'.join(lines)


__all__ = [
    'measure_steps', 'peak_memory_mb', 'measure_pipeline', 'measure_scaling',
    'to_markdown', 'synthetic_scans', 'TARGETS'
]
