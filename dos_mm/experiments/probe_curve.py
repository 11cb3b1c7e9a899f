"""The online probe's curve: the values ``OnlineProbeMetric`` logged during
a pretraining run, read back from mmengine's local scalar files."""
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Optional

PROBE_PREFIX = 'probe/'
COLUMNS = (('probe/miou', 'probe mIoU'), ('probe/tail_miou', 'tail mIoU'),
           ('probe/proto_many_to_one_miou', 'prototypes, many-to-one mIoU'),
           ('probe/proto_one_to_one_miou', 'prototypes, Hungarian mIoU'),
           ('probe/nmi', 'NMI'), ('probe/prototypes_in_use',
                                  'prototypes in use'))


def read_probe_curve(work_dir: str) -> Dict[str, List[float]]:
    """``{'step': [...], 'probe/...': [...]}`` sorted by step, from every
    ``<work_dir>/<timestamp>/vis_data/scalars.json`` (a resumed run writes
    several; a later value of a step replaces an earlier one). Empty when
    the run logged no probe value.
    """
    by_step: Dict[int, Dict[str, float]] = {}
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                values = {
                    k: v
                    for k, v in row.items() if k.startswith(PROBE_PREFIX)
                }
                if values:
                    by_step.setdefault(int(row['step']), {}).update(values)
    steps = sorted(by_step)
    keys = sorted({k for v in by_step.values() for k in v})
    curve: Dict[str, List[float]] = dict(step=steps) if steps else {}
    for key in keys:
        curve[key] = [by_step[s].get(key, float('nan')) for s in steps]
    return curve


def curve_table(curve: Dict[str, List[float]]) -> str:
    """Markdown: one row per evaluation (step 0: the random
    initialisation)."""
    columns = [(k, name) for k, name in COLUMNS if k in curve]
    rows = [
        '| iteration | ' + ' | '.join(name for _, name in columns) + ' |',
        '|---|' + '---|' * len(columns)
    ]
    for i, step in enumerate(curve.get('step', [])):
        cells = [
            f'{curve[k][i]:.0f}' if k.endswith('in_use') else
            f'{curve[k][i]:.2f}' if k.endswith('nmi') else f'{curve[k][i]:.1f}'
            for k, _ in columns
        ]
        rows.append(f'| {step} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def comparison_table(curves: Dict[str, Dict[str, List[float]]],
                     key: str = 'probe/miou') -> str:
    """Markdown: one row per iteration, one column per run, of ``key``
    (``-`` where a run has no evaluation at that iteration)."""
    steps = sorted({s for c in curves.values() for s in c['step']})
    rows = [
        '| iteration | ' + ' | '.join(curves) + ' |',
        '|---|' + '---|' * len(curves)
    ]
    for step in steps:
        cells = []
        for curve in curves.values():
            at = dict(zip(curve['step'], curve.get(key, [])))
            cells.append(f'{at[step]:.1f}' if step in at else '-')
        rows.append(f'| {step} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def adjacent_gaps(curves: Dict[str, Dict[str, List[float]]],
                  key: str = 'probe/miou') -> Dict[str, Dict[int, float]]:
    """``'a - b'`` -> {iteration: difference} for each pair of runs next to
    each other in ``curves``' order (the steps of an ablation, e.g. DOS,
    softmaps, observable-only, masked distillation), at the iterations both
    evaluated."""
    names = list(curves)
    gaps = {}
    for a, b in zip(names, names[1:]):
        at_a = dict(zip(curves[a]['step'], curves[a].get(key, [])))
        at_b = dict(zip(curves[b]['step'], curves[b].get(key, [])))
        gaps[f'{a} - {b}'] = {
            s: at_a[s] - at_b[s]
            for s in sorted(at_a) if s in at_b
        }
    return gaps


def gap_table(gaps: Dict[str, Dict[int, float]],
              paired_sd: Optional[Dict[str, float]] = None) -> str:
    """Markdown: one row per iteration, one column per pair of
    :func:`adjacent_gaps`; with ``paired_sd`` (pair -> per-seed standard
    deviation of its difference, from a benchmark over seeds) each cell
    also gives the seeds a benchmark at that length would need to resolve
    that gap (:func:`~.statistics.seeds_to_resolve`; ``-`` past 1000)."""
    from .statistics import seeds_to_resolve
    steps = sorted({s for g in gaps.values() for s in g})
    rows = [
        '| iteration | ' + ' | '.join(gaps) + ' |',
        '|---|' + '---|' * len(gaps)
    ]
    for step in steps:
        cells = []
        for pair, at in gaps.items():
            if step not in at:
                cells.append('')
                continue
            cell = f'{at[step]:+.1f}'
            if paired_sd and pair in paired_sd:
                n = seeds_to_resolve(at[step], paired_sd[pair])
                cell += f' ({n if n else "-"} seeds)'
            cells.append(cell)
        rows.append(f'| {step} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def paired_sd(runs: List[dict],
              pairs: List[str],
              metric: str = 'miou') -> Dict[str, float]:
    """Pair ``'a - b'`` -> the standard deviation over seeds of the paired
    difference of ``metric`` in a benchmark's runs (rows by ``method``);
    pairs with fewer than two seeds are left out."""
    import numpy as np

    from .runs import paired_differences
    comparisons = [tuple(p.split(' - ')) for p in pairs]
    diffs = paired_differences(runs, comparisons, metric, row='method')
    return {
        p: float(np.std(d['per_seed'], ddof=1))
        for p, d in diffs.items() if d['n'] > 1
    }


def curve_report(runs: Dict[str, str],
                 out: str,
                 sizing_runs: Optional[List[dict]] = None) -> Dict:
    """Plot and tabulate the online-probe curves of several pretraining
    runs (name -> work dir) into ``out`` (``probe_curves.png``,
    ``probe_curves.json`` / ``.md``). The random-initialisation level is the
    first run's iteration-0 evaluation. The differences between runs next
    to each other (one seed each: no interval) are tabulated; with
    ``sizing_runs`` (a benchmark's runs over seeds, rows named as the
    runs here) with the seeds a benchmark would need to resolve each.

    Raises:
        ValueError: a run logged no probe value (names it).
    """
    from dos_mm.visualization import plot_probe_curve
    from .runs import write_record
    curves = {name: read_probe_curve(folder) for name, folder in runs.items()}
    empty = [f'{n} ({runs[n]})' for n, c in curves.items() if not c]
    if empty:
        raise ValueError(
            f'no online-probe values logged by {", ".join(empty)}. Fix: '
            'pretrain with a config that has the online probe (a '
            'ProbeSplits val_dataloader and OnlineProbeMetric, e.g. '
            'configs/dos/pretrain_demo.py)')
    os.makedirs(out, exist_ok=True)
    first = next(iter(curves.values()))
    floor = {k: v[0] for k, v in first.items() if first['step'][0] == 0}
    plot_probe_curve(curves, osp.join(out, 'probe_curves.png'), floor=floor)
    md = ['# Online probe over pretraining', '']
    for key, name in COLUMNS[:4]:
        md += [f'## {name}', '', comparison_table(curves, key), '']
    record = dict(runs=runs, curves=curves)
    if len(curves) > 1:
        gaps = adjacent_gaps(curves)
        sd = paired_sd(sizing_runs, list(gaps)) if sizing_runs else {}
        md += [
            '## probe mIoU differences between adjacent runs', '',
            'One run each: a difference, not an interval.' +
            (' In brackets: the seeds a benchmark would need for its 95 % '
             'interval to exclude zero, were the difference the truth and '
             'its per-seed standard deviation that of the sizing runs (' +
             ', '.join(f'{p}: {v:.2f}'
                       for p, v in sd.items()) + ').' if sd else ''), '',
            gap_table(gaps, sd), ''
        ]
        record.update(
            gaps={
                p: list(g.items())
                for p, g in gaps.items()
            }, paired_sd=sd)
    write_record(out, 'probe_curves', record, '\n'.join(md))
    return curves


def evaluation_cost(log_lines: List[str]) -> Dict[str, List[float]]:
    """Seconds of each evaluation and of the training before it, from the
    lines of an mmengine log of a run whose logger interval divides its
    validation interval (so a training line is written at each
    evaluation's iteration): an evaluation runs from the last training line
    before its metrics line to that line; the training of an interval from
    the previous metrics line to that last training line.

    Returns:
        dict: ``evaluation_s`` and ``training_s`` (intervals with an
        evaluation before and after them) and ``share``, each evaluation's
        seconds over the training seconds before it.
    """
    from datetime import datetime

    def stamp(line: str) -> datetime:
        return datetime.strptime(line[:19], '%Y/%m/%d %H:%M:%S')

    evals, trains = [], []
    last_probe = last_train = None
    for line in log_lines:
        if 'Iter(train)' in line:
            last_train = stamp(line)
        elif 'Iter(val)' in line and 'probe/miou' in line:
            now = stamp(line)
            if last_train is not None and last_probe is not None:
                evals.append((now - last_train).total_seconds())
                trains.append((last_train - last_probe).total_seconds())
            last_probe, last_train = now, None
    return dict(
        evaluation_s=evals,
        training_s=trains,
        share=[e / t for e, t in zip(evals, trains) if t > 0])
