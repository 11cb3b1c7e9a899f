"""The SSL benchmark's tables: rows over seeds, the paired differences of
its comparisons, the prototype diagnostics."""
import numpy as np

from . import runs as benchmark_runs
from .runs import interval_cell
from .ssl_rows import COMPARISONS, FRACTIONS, METHODS, ROWS


def table(runs: list) -> str:
    rows = [
        '| method | mIoU | tail mIoU | head mIoU | seeds |',
        '|---|---|---|---|---|'
    ]
    means = {}
    for method in ROWS:
        sel = [r for r in runs if r['method'] == method]
        if not sel:
            continue
        cell = []
        for key in ('miou', 'tail_miou', 'head_miou'):
            vals = np.array([r[key] for r in sel])
            means[(method, key)] = vals.mean()
            std = vals.std(ddof=1) if len(vals) > 1 else 0.0
            cell.append(f'{vals.mean():.1f} ± {std:.1f}')
        rows.append(f'| {method} | ' + ' | '.join(cell) + f' | {len(sel)} |')
    keys = [(m, 'miou') for m in ('random', 'supervised', 'dos')]
    if all(k in means for k in keys):
        lo, hi, dos = (means[k] for k in keys)
        rows += [
            '', f'DOS closes {100 * (dos - lo) / (hi - lo):.0f} % of '
            'the gap between random initialisation and supervised '
            'training (mean mIoU).'
        ]
    for pct in FRACTIONS:
        keys = [(f'finetune_{init}_{pct}', 'miou')
                for init in ('scratch', 'dos')]
        if all(k in means for k in keys):
            scratch, dos = (means[k] for k in keys)
            rows.append(f'Fine-tuning on {pct[:-3]} % of the scans: DOS '
                        f'{dos:.1f} vs scratch {scratch:.1f} mIoU '
                        f'({dos - scratch:+.1f}).')
    rows += [''] + paired_table(runs) + [''] + diagnostics_table(runs)
    return '\n'.join(rows)


DIAGNOSTICS = ('nmi', 'protos_per_class', 'softmap_entropy_head',
               'softmap_entropy_tail')


def diagnostics_table(runs: list) -> list:
    """Mean over seeds of the teacher's prototype diagnostics on the
    validation scans, and the seconds per pretraining step (comparable
    between rows run under the same load only), per pretrained row."""
    lines = [
        '| method | NMI (prototypes, classes) | prototypes per class | '
        'softmap entropy, head ranks | tail ranks | s per step |',
        '|---|---|---|---|---|---|'
    ]
    for method in METHODS:
        sel = [r for r in runs if r['method'] == method and 'diagnostics' in r]
        if sel:
            means = [
                np.mean([r['diagnostics'][k] for r in sel])
                for k in DIAGNOSTICS
            ]
            # runs written before step times were recorded have none
            steps = [r['step_seconds'] for r in sel if 'step_seconds' in r]
            step = f'{np.mean(steps):.2f}' if steps else '-'
            lines.append(f'| {method} | {means[0]:.3f} | {means[1]:.1f} | '
                         f'{means[2]:.3f} | {means[3]:.3f} | {step} |')
    return lines if len(lines) > 2 else []


def paired_differences(runs: list) -> list:
    """Each of ``COMPARISONS`` present in ``runs``: the mean paired
    difference of mIoU and tail mIoU over the seeds both rows have, with
    the Student-t 95 % interval, and whether the mIoU interval excludes
    0."""
    per = {
        key: benchmark_runs.paired_differences(runs, COMPARISONS, key,
                                               'method')
        for key in ('miou', 'tail_miou')
    }
    out = []
    for name, miou in per['miou'].items():
        row, base = name.split(' - ')
        entry = dict(row=row, baseline=base, seeds=miou['seeds'])
        for key in ('miou', 'tail_miou'):
            d = per[key][name]
            entry[key] = {
                k: d[k]
                for k in ('mean', 'low', 'high', 'n', 'per_seed')
            }
        entry['resolved'] = miou['resolved']
        out.append(entry)
    return out


def paired_table(runs: list) -> list:
    lines = [
        '| row - baseline | mIoU difference (95 % interval) | tail mIoU '
        'difference | seeds | resolved |', '|---|---|---|---|---|'
    ]
    for e in paired_differences(runs):
        lines.append(f"| {e['row']} - {e['baseline']} | "
                     f"{interval_cell(e['miou'])} | "
                     f"{interval_cell(e['tail_miou'])} | {len(e['seeds'])} "
                     f"| {'yes' if e['resolved'] else 'no'} |")
    return lines
