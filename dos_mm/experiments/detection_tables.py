"""The detection benchmark's summary over seeds (each arm's mAP and
per-class AP, the paired differences of ``detection_protocol.COMPARISONS``
for the mAP and per class) and its markdown tables."""
from typing import Dict, List, Sequence

import numpy as np

from . import detection_protocol as det
from . import runs as benchmark_runs

ARMS = tuple(det.CONFIGS)


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
        diffs = benchmark_runs.paired_differences(rows, det.COMPARISONS, 'map',
                                                  'arm')
        labelled = sorted({r['labelled'] for r in rows})
        out[str(fraction)] = dict(
            arms=arms,
            diffs=diffs,
            class_diffs=class_differences(rows),
            labelled=labelled)
    return out


def class_differences(rows: Sequence[dict]) -> Dict[str, Dict[str, dict]]:
    """``{comparison: {class: paired difference of its AP}}`` over the
    seeds both arms have, as :func:`runs.paired_differences` gives for the
    mAP: which classes carry an mAP difference. With eight classes and four
    comparisons per fraction, a few intervals exclude 0 by chance: they
    describe the mAP's difference, they are not claims of their own."""
    classes = sorted({c for r in rows for c in r['ap']})
    out: Dict[str, Dict[str, dict]] = {}
    for c in classes:
        flat = [
            dict(arm=r['arm'], seed=r['seed'], ap=r['ap'][c]) for r in rows
            if c in r['ap']
        ]
        found = benchmark_runs.paired_differences(flat, det.COMPARISONS, 'ap',
                                                  'arm')
        for name, d in found.items():
            out.setdefault(name, {})[c] = d
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
    return '\n'.join(lines + _class_table(summary)) + '\n'


def _class_table(summary: dict) -> List[str]:
    """Per-class AP differences: mean (95 % interval) per comparison."""
    classes = sorted({
        c
        for part in summary.values()
        for per in part.get('class_diffs', {}).values()
        for c in per
    })
    if not classes:
        return []
    lines = [
        '', 'Per-class AP, paired differences: mean (95 % interval); '
        'descriptive (which classes carry the mAP difference), not claims '
        'of their own.', '',
        '| fraction | paired difference | ' + ' | '.join(classes) + ' |',
        '|---|---|' + '---|' * len(classes)
    ]
    for fraction, part in summary.items():
        for name, per in part.get('class_diffs', {}).items():
            cells = [
                benchmark_runs.interval_cell(per[c]) if c in per else '-'
                for c in classes
            ]
            lines.append(f'| {float(fraction):.0%} | {name} | ' +
                         ' | '.join(cells) + ' |')
    return lines
