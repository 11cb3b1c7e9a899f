"""The detection benchmark on synthetic LiDAR (``tools/benchmark_det.py``):
the calibration of the scratch arm on val, then seeds x label fractions x
arms on the test split, as paired differences with Student-t 95 %
intervals (docs/detection.md).

A folder holds one protocol (the configs' length and rate); its
``results.json`` is rewritten atomically after every run, so a benchmark
resumes where it stopped and runs in parts that :func:`merge` joins.
"""
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

from dos_mm.datasets.preparation.resumable import atomic_write_bytes
from . import detection_protocol as det
from .statistics import paired_interval, read_runs

ARMS = tuple(det.CONFIGS)


def write_json_md(out: str, name: str, payload: dict, markdown: str) -> None:
    """``out/name.json`` and ``out/name.md``, each written atomically."""
    os.makedirs(out, exist_ok=True)
    atomic_write_bytes(
        osp.join(out, f'{name}.json'),
        json.dumps(payload, indent=2).encode())
    atomic_write_bytes(osp.join(out, f'{name}.md'), markdown.encode())


def _key(run: dict) -> tuple:
    return run['arm'], run['seed'], run['fraction']


def _protocol(run: dict) -> tuple:
    return run.get('iters'), run.get('lr')


def check_one_protocol(runs: Sequence[dict], where: str) -> None:
    """Refuse runs of different lengths or rates in one table."""
    found = {_protocol(r) for r in runs}
    if len(found) > 1:
        raise SystemExit(
            f'error: {where} holds runs of different protocols '
            f'(iterations, rate) {sorted(found, key=str)}: a table compares '
            'arms under one protocol. Fix: another --out, or merge one '
            'protocol at a time')


def merge(dirs: Sequence[str]) -> List[dict]:
    """The runs of several folders; a run measured twice, or runs of
    different protocols, are an error."""
    runs, seen = [], {}
    for folder in dirs:
        found = read_runs(folder)
        if not found:
            raise SystemExit(f'error: {folder}/results.json has no runs')
        for run in found:
            if _key(run) in seen:
                raise SystemExit(f'error: {_key(run)} is in both '
                                 f'{seen[_key(run)]} and {folder}')
            seen[_key(run)] = folder
            runs.append(run)
    check_one_protocol(runs, 'the merged folders')
    return runs


def _mean_std(values: Sequence[float]) -> dict:
    return dict(
        mean=float(np.mean(values)),
        std=float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        n=len(values))


def summarise(runs: Sequence[dict]) -> dict:
    """Per fraction: each arm's mAP and per-class AP (mean, std), and the
    paired differences of ``det.COMPARISONS`` over the seeds both arms
    have, with their 95 % intervals (``resolved``: the interval excludes
    0)."""
    out = {}
    for fraction in sorted({r['fraction'] for r in runs}):
        rows = [r for r in runs if r['fraction'] == fraction]
        arms = {}
        for arm in ARMS:
            mine = [r for r in rows if r['arm'] == arm]
            if not mine:
                continue
            classes = sorted({c for r in mine for c in r['ap']})
            arms[arm] = dict(
                _mean_std([r['map'] for r in mine]),
                ap={
                    c: _mean_std([r['ap'][c] for r in mine if c in r['ap']])
                    for c in classes
                })
        by_seed = {(r['arm'], r['seed']): r['map'] for r in rows}
        diffs = {}
        for arm, ref in det.COMPARISONS:
            seeds = sorted(s for a, s in by_seed
                           if a == arm and (ref, s) in by_seed)
            if seeds:
                d = [by_seed[(arm, s)] - by_seed[(ref, s)] for s in seeds]
                interval = paired_interval(d)
                diffs[f'{arm} - {ref}'] = dict(
                    interval,
                    per_seed=d,
                    seeds=seeds,
                    resolved=bool(
                        interval['n'] > 1
                        and (interval['low'] > 0 or interval['high'] < 0)))
        labelled = sorted({r['labelled'] for r in rows})
        out[str(fraction)] = dict(arms=arms, diffs=diffs, labelled=labelled)
    return out


def to_markdown(summary: dict) -> str:
    """The tables of :func:`summarise`."""
    lines = [
        '| fraction (scans) | arm | mAP mean ± std | seeds | per-class AP '
        '(mean) |', '|---|---|---|---|---|'
    ]
    for fraction, part in summary.items():
        scans = '/'.join(str(n) for n in part['labelled'])
        for arm, s in part['arms'].items():
            ap = ', '.join(f'{c} {v["mean"]:.1f}' for c, v in s['ap'].items())
            lines.append(f'| {float(fraction):.0%} ({scans}) | {arm} | '
                         f'{s["mean"]:.1f} ± {s["std"]:.1f} | {s["n"]} | '
                         f'{ap} |')
    lines += [
        '', '| fraction | paired difference (mAP) | mean | 95 % interval | '
        'resolved | per seed |', '|---|---|---|---|---|---|'
    ]
    for fraction, part in summary.items():
        for name, d in part['diffs'].items():
            per = ', '.join(f'{v:+.1f}' for v in d['per_seed'])
            interval = (f'{d["low"]:+.1f} to {d["high"]:+.1f}'
                        if d['n'] > 1 else '(one seed)')
            lines.append(f'| {float(fraction):.0%} | {name} | '
                         f'{d["mean"]:+.1f} | {interval} | '
                         f'{"yes" if d["resolved"] else "no"} | {per} |')
    return '\n'.join(lines) + '\n'


def write_results(out: str, runs: List[dict], settings: dict) -> dict:
    """``results.json`` (settings, summary, every run) and ``results.md``,
    each written atomically; returns the summary."""
    summary = summarise(runs)
    write_json_md(out, 'results',
                  dict(settings=settings, summary=summary, runs=runs),
                  to_markdown(summary))
    return summary


def prepare_data(data: str, num_train: int, num_val: int,
                 num_test: int) -> None:
    """The benchmark's synthetic scans (train pool, val for calibration,
    test for scoring), generated once with dataset seed 0."""
    from dos_mm.datasets import synthetic
    synthetic.generate_dataset(data, num_train, num_val, 0, num_test=num_test)


def pretrained_backbone(out: str, config: str, data: str, iters: int,
                        seed: int, threads: Optional[int]) -> str:
    """The converted teacher backbone of this seed's DOS pretraining on the
    training pool (pretrained once, reused by every fraction and arm)."""
    from dos_mm import apis, converters
    work = osp.join(out, f'pretrain_seed{seed}')
    path = osp.join(work, 'dos_centerpoint.pth')
    if osp.isfile(path):
        return path
    ckpt = osp.join(work, f'iter_{iters}.pth')
    if not osp.isfile(ckpt):
        apis.pretrain(config, work, data, iters, seed, {}, threads)
    state, _ = converters.convert_state_dict(
        converters.load_dos_checkpoint(ckpt)['state_dict'], 'centerpoint')
    converters.save_converted(state, path, dict(seed=seed, iter=iters))
    return path


def run_benchmark(out: str,
                  data: str,
                  config: str,
                  seeds: Sequence[int],
                  fractions: Sequence[float],
                  arms: Sequence[str],
                  pretrain_iters: int,
                  threads: Optional[int] = None,
                  det_iters: Optional[int] = None,
                  settings: Optional[dict] = None) -> dict:
    """Every (seed, fraction, arm) not yet in ``out/results.json``: DOS
    pretrained per seed, each arm fine-tuned on that seed's labelled split
    with the configs' protocol (or ``det_iters``) and scored on the test
    split. Returns the summary."""
    runs = read_runs(out)
    protocol = det.protocol_of('scratch')
    if det_iters:
        protocol['iters'] = det_iters
    check_one_protocol(
        runs + [dict(iters=protocol['iters'], lr=protocol['lr'])],
        f'{out} with this run')
    settings = dict(settings or {}, protocol=protocol)
    done = {_key(r) for r in runs}
    for seed in seeds:
        todo = [(f, a) for f in fractions for a in arms
                if (a, seed, f) not in done]
        if not todo:
            continue
        ckpt = pretrained_backbone(out, config, data, pretrain_iters, seed,
                                   threads) if any(a in det.PRETRAINED_ARMS
                                                   for _, a in todo) else None
        for fraction, arm in todo:
            ann = det.labelled_split(data, fraction, seed)
            start = time.time()
            res = det.detection_transfer(
                data,
                osp.join(out, f'seed{seed}_{fraction:g}'), (arm, ),
                ckpt,
                ann,
                det_iters,
                seed=seed,
                threads=threads)[arm]
            runs.append(
                dict(
                    res,
                    arm=arm,
                    seed=seed,
                    fraction=fraction,
                    seconds=round(time.time() - start, 1)))
            print(f'[benchmark_det] seed {seed} fraction {fraction:g} '
                  f'{arm}: mAP {res["map"]:.1f}')
            write_results(out, runs, settings)
    return write_results(out, runs, settings)


def calibration_markdown(curves: Dict[str, List[dict]],
                         choice: Optional[dict]) -> str:
    """The scratch curves on val (mAP per evaluated iteration and rate) and
    the choice."""
    iters = sorted({p['iter'] for c in curves.values() for p in c})
    lines = [
        '| peak rate | ' + ' | '.join(str(i) for i in iters) + ' |',
        '|---|' + '---|' * len(iters)
    ]
    for lr, curve in sorted(curves.items(), key=lambda kv: float(kv[0])):
        at = {p['iter']: p['map'] for p in curve}
        lines.append(f'| {lr} | ' +
                     ' | '.join(f'{at[i]:.1f}' if i in at else ''
                                for i in iters) + ' |')
    if choice:
        lines += [
            '', f'Chosen for every arm: peak rate {choice["lr"]:g}, '
            f'{choice["iters"]} iterations (plateau {choice["plateau"]:.1f} '
            f'mAP on val; rule: {choice["rule"]}).'
        ]
    return '\n'.join(lines) + '\n'


def calibrate(out: str,
              data: str,
              fraction: float,
              seed: int,
              rates: Sequence[float],
              iters: int,
              eval_every: int,
              threads: Optional[int] = None,
              settings: Optional[dict] = None) -> dict:
    """Scratch curves on val for each peak rate not yet in
    ``out/calibration.json``, then the choice of :func:`det.choose_protocol`
    over every curve there. Returns the calibration record."""
    path = osp.join(out, 'calibration.json')
    record = dict(curves={})
    if osp.isfile(path):
        with open(path) as f:
            record = json.load(f)
        if (record['iters'], record['eval_every'], record['fraction'],
                record['seed']) != (iters, eval_every, fraction, seed):
            raise SystemExit(
                f'error: {path} holds a calibration of another length, '
                'interval, fraction or seed: use another --out')
    record.update(
        settings or {},
        iters=iters,
        eval_every=eval_every,
        fraction=fraction,
        seed=seed)
    ann = det.labelled_split(data, fraction, seed)
    for lr in rates:
        if f'{lr:g}' in record['curves']:
            continue
        start = time.time()
        curve = det.calibrate_rate(data, osp.join(out, 'runs'), ann, lr, iters,
                                   eval_every, seed, threads)
        record['curves'][f'{lr:g}'] = curve
        record.setdefault('seconds',
                          {})[f'{lr:g}'] = round(time.time() - start, 1)
        print(f'[calibrate] lr {lr:g}: ' +
              ', '.join(f'{p["iter"]}: {p["map"]:.1f}' for p in curve))
        record['choice'] = None
        write_json_md(out, 'calibration', record,
                      calibration_markdown(record['curves'], None))
    record['choice'] = det.choose_protocol({
        float(k): v
        for k, v in record['curves'].items()
    })
    write_json_md(out, 'calibration', record,
                  calibration_markdown(record['curves'], record['choice']))
    return record
