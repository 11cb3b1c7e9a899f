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
from dos_mm.models.heads import CosineLogits
from dos_mm.models.losses import SoftmapLoss
from dos_mm.models.targets import ZipfSinkhornTarget
from dos_mm.models.utils.block_mask import block_mask


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
    projector hidden width, with the scheduled values of the middle of the
    config's run in force (every warm-up over: the steps most of a run
    takes)."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(config)
    if projector_hidden:
        cfg.model.encoder.head.hidden_channels = projector_hidden
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    model.train()
    max_iters = cfg.train_cfg.max_iters
    model.set_schedule(**model.schedule_at(max_iters // 2, max_iters))
    return model


def _channels(model) -> int:
    return int(model.student.backbone.in_channels)


def make_steps(model, scans, device: str):
    """Closures for one DOS step, one supervised step and one step of the
    network passes alone (see :func:`passes_loss`)."""
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()
    batch = pseudo_collate([pack(mv(dict(points=p))) for p, _ in scans])
    opt = torch.optim.AdamW(model.student.parameters(), lr=1e-4)
    pre = model.data_preprocessor
    feats_dim = model.student.feature_channels
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

    def passes_step():
        data = pre(batch, True)
        passes_loss(model, data['inputs']['views'], len(scans)).backward()
        opt.step()
        opt.zero_grad()
        model.teacher_update()

    def supervised_step():
        vox = pre.voxelize_scans(points, scan_id, len(scans))
        enc = model.student.features(vox, vox['point_vox'], len(scans))
        logits = head(enc.feats)[enc.point_cell]
        loss = F.cross_entropy(logits, labels[vox['point_rows']])
        loss.backward()
        sup_opt.step()
        sup_opt.zero_grad()

    return dos_step, supervised_step, passes_step


def passes_loss(model, views: list, batch_size: int):
    """The network passes a DOS step cannot do without, and nothing else:
    the teacher's backbone on each full view and its head on as many cells
    as the student has there (the same-view targets alone; cross-view
    targets add more), and the student's backbone and head on each
    observable view, ending in a loss as cheap as a mean. No matching, no
    Zipf-Sinkhorn, no softmaps: the step this gives is the floor that the
    DOS step is measured against."""
    total = 0
    teacher, student = model.teacher.module, model.student
    for v in views:
        with torch.no_grad():
            t = teacher.encode(v['full'], v['orig_coord'], batch_size)
        s = student.encode(v['visible'], v['orig_coord'], batch_size)
        with torch.no_grad():
            feats = t.take_feats()
            rows = min(len(s), len(feats))
            teacher.target_logits(feats,
                                  torch.arange(rows, device=feats.device))
        total = total + student.logits(s.take_feats()).float().mean()
    return total


def peak_allocated_mb(step, device: str) -> float:
    """Peak growth (MB) of the memory held by tensors while ``step`` runs:
    activations kept for backward, transients and gradients.

    CUDA: ``max_memory_allocated`` minus what was allocated before. CPU has
    no such counter, so the allocations and frees the profiler records
    (``profile_memory``) are summed in time order. Unlike the resident set
    this does not depend on what the C allocator keeps from earlier steps
    (glibc keeps freed chunks up to its adaptive mmap threshold, so the
    resident growth of a step can be far below the tensors it keeps for
    backward). Memory spconv allocates outside torch is not counted on
    either device.
    """
    if device == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - before) / 2**20
    from torch.profiler import ProfilerActivity, profile
    with profile(
            activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    events = sorted((e.start_ns(), e.nbytes())
                    for e in prof.profiler.kineto_results.events()
                    if e.name() == '[memory]'
                    and e.device_type() == torch.autograd.DeviceType.CPU)
    live = np.cumsum([0] + [nbytes for _, nbytes in events])
    return float(live.max()) / 2**20


# the record_function ranges of a DOS step, by the part they measure
RANGES = dict(
    targets='dos.targets',
    sinkhorn='dos.sinkhorn',
    loss_call='dos.loss',
    softmaps='dos.softmaps',
    matching='dos.matching')


def range_seconds(prof, device: str) -> Dict[str, float]:
    """Seconds spent in each of :data:`RANGES` during a profiled run,
    summed over its calls. On CUDA the ranges' spans on the device
    (the profiler's GPU user annotations) where the profiler recorded
    them, else their host spans."""
    events = [e for e in prof.events() if e.name in RANGES.values()]
    if device == 'cuda':
        on_device = [
            e for e in events
            if e.device_type == torch.autograd.DeviceType.CUDA
        ]
        events = on_device or events
    else:
        events = [
            e for e in events
            if e.device_type == torch.autograd.DeviceType.CPU
        ]
    return {
        part: sum(e.time_range.elapsed_us()
                  for e in events if e.name == name) / 1e6
        for part, name in RANGES.items()
    }


def profiled_parts(step, device: str) -> Dict[str, float]:
    """One run of ``step`` under the profiler: its seconds
    (``profiled_s``, profiler overhead included) and those of each of its
    :data:`RANGES`."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU]
    if device == 'cuda':
        activities.append(ProfilerActivity.CUDA)
    with profile(activities=activities) as prof:
        _sync(device)
        t = time.perf_counter()
        step()
        _sync(device)
        wall = time.perf_counter() - t
    return dict(profiled_s=wall, **range_seconds(prof, device))


def measure_steps(config: str,
                  points: int,
                  batch: int,
                  reps: int,
                  device: str,
                  projector_hidden: Optional[int] = None) -> Dict[str, float]:
    """Median seconds of a DOS step, a supervised step and a step of the
    network passes alone, interleaved and unprofiled; each step's peak
    memory (:func:`peak_allocated_mb`, one more step each); and, from
    ``reps`` more DOS steps run under the profiler, the median seconds of
    the parts of the step that the code marks with ``record_function``:

    * ``targets_s``: ``DOSHead.targets`` (the teacher head on the target
      cells and Zipf-Sinkhorn); ``sinkhorn_s``: Zipf-Sinkhorn alone;
    * ``loss_call_s``: the ``SoftmapLoss`` calls, with the prototype
      layer's products that ``prototype_softmap_kl`` runs in forward;
      ``softmaps_s``: the softmaps, KL and logit gradients within them;
    * ``matching_s``: ``DOS.match_views``;
    * ``target_s``: ``sinkhorn_s + softmaps_s``, and ``profiled_s``, the
      profiled DOS step (the shares' denominator: the same overhead).
    """
    model = build(config, device, projector_hidden)
    scans = synthetic_scans(batch, points, _channels(model))
    dos_step, sup_step, passes_step = make_steps(model, scans, device)
    steps = dict(dos=dos_step, supervised=sup_step, passes=passes_step)
    for step in steps.values():  # warm-up, optimizer state
        step()
    times = {name: [] for name in steps}
    for _ in range(reps):
        for name, step in steps.items():
            _sync(device)
            t = time.perf_counter()
            step()
            _sync(device)
            times[name].append(time.perf_counter() - t)
    parts = [profiled_parts(dos_step, device) for _ in range(reps)]
    for part in parts:
        part['target_s'] = part['sinkhorn'] + part['softmaps']
    out = {f'{k}_s': float(np.median(v)) for k, v in times.items()}
    for key in parts[0]:
        name = key if key.endswith('_s') else f'{key}_s'
        out[name] = float(np.median([part[key] for part in parts]))
    for name, step in steps.items():
        out[f'{name}_peak_mb'] = peak_allocated_mb(step, device)
    return out


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
                    reps: int = 3,
                    dim: int = 256) -> List[Dict]:
    """Target generation + loss time for N cells x K prototypes over two
    scans: Zipf-Sinkhorn on (N, K) teacher logits, then the softmap loss of
    (N, ``dim``) student embeddings against the K prototypes with its
    gradient, as in training (the fused loss computes it in forward)."""
    rows = []
    for k in ks:
        target = ZipfSinkhornTarget(k, alpha=1.3).to(device)
        loss_fn = SoftmapLoss()
        for n in sizes:
            g = torch.Generator().manual_seed(0)
            teacher = (torch.rand(n, k, generator=g) * 2 - 1).to(device)
            emb = F.normalize(torch.randn(n, dim, generator=g)).to(device)
            protos = F.normalize(torch.randn(k, dim, generator=g)).to(device)
            student = CosineLogits(emb.requires_grad_(), protos, 0.1)
            scan = (torch.arange(n) * 2 // n).to(device)
            rows_n = torch.arange(n, device=device)
            times = []
            for _ in range(reps + 1):
                _sync(device)
                t = time.perf_counter()
                log_q = target(teacher / 0.07)
                loss_fn(student, log_q, [(rows_n, rows_n, scan, 1.0)], 2)
                _sync(device)
                times.append(time.perf_counter() - t)
            rows.append(
                dict(
                    cells=n,
                    prototypes=k,
                    ms=1000 * float(np.median(times[1:]))))
    return rows


__all__ = [
    'measure_steps', 'profiled_parts', 'range_seconds', 'RANGES',
    'peak_allocated_mb', 'measure_pipeline', 'measure_scaling',
    'synthetic_scans'
]
