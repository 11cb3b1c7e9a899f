"""The online probe's curve: the values ``OnlineProbeMetric`` logged during
a pretraining run, read back from mmengine's local scalar files."""
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

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


def _steps_table(columns: Dict[str, Dict[int, str]]) -> str:
    """Markdown: one row per iteration, one column per name (blank where
    that column has no cell)."""
    steps = sorted({s for c in columns.values() for s in c})
    rows = [
        '| iteration | ' + ' | '.join(columns) + ' |',
        '|---|' + '---|' * len(columns)
    ]
    for step in steps:
        cells = [c.get(step, '') for c in columns.values()]
        rows.append(f'| {step} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def comparison_table(curves: Dict[str, Dict[str, List[float]]],
                     key: str = 'probe/miou') -> str:
    """Markdown: one row per iteration, one column per run, of ``key``
    (``-`` where a run has no evaluation at that iteration)."""
    steps = sorted({s for c in curves.values() for s in c['step']})
    columns = {}
    for name, curve in curves.items():
        at = dict(zip(curve['step'], curve.get(key, [])))
        columns[name] = {s: f'{at[s]:.1f}' if s in at else '-' for s in steps}
    return _steps_table(columns)


def run_row(name: str) -> Tuple[str, str]:
    """``'dos@1'`` -> ``('dos', '1')``: a run named ``ROW@SEED`` is seed
    ``SEED`` of row ``ROW``; a name without ``@`` is seed ``'0'`` (the
    configs' default ``randomness.seed``)."""
    row, sep, seed = name.partition('@')
    return row, seed if sep else '0'


def _by_row(curves: Dict[str, Dict[str, List[float]]],
            key: str) -> Dict[str, Dict[str, Dict[int, float]]]:
    """row -> seed -> {iteration: value of ``key``}, rows in the order of
    their first run.

    Raises:
        ValueError: two runs name the same row and seed (``dos`` and
            ``dos@0``).
    """
    rows: Dict[str, Dict[str, Dict[int, float]]] = {}
    for name, curve in curves.items():
        row, seed = run_row(name)
        if seed in rows.get(row, {}):
            raise ValueError(
                f'two runs are seed {seed} of row {row!r} (the second: '
                f'{name!r}; a name without @SEED is seed 0). Fix: name '
                'each seed of a row once, ROW@SEED')
        rows.setdefault(row, {})[seed] = dict(
            zip(curve['step'], curve.get(key, [])))
    return rows


def adjacent_gaps(
        curves: Dict[str, Dict[str, List[float]]],
        key: str = 'probe/miou') -> Dict[str, Dict[int, List[float]]]:
    """``'a - b'`` -> {iteration: [difference of each seed]} for each pair
    of rows next to each other in ``curves``' order (the steps of an
    ablation, e.g. DOS, softmaps, observable-only, masked distillation;
    :func:`run_row` names the rows and seeds), each seed of ``a`` paired
    with the same seed of ``b``, at the iterations both evaluated."""
    rows = _by_row(curves, key)
    names = list(rows)
    gaps = {}
    for a, b in zip(names, names[1:]):
        by_step: Dict[int, List[float]] = {}
        for seed in (s for s in rows[a] if s in rows[b]):
            at_a, at_b = rows[a][seed], rows[b][seed]
            for step in (s for s in at_a if s in at_b):
                by_step.setdefault(step, []).append(at_a[step] - at_b[step])
        gaps[f'{a} - {b}'] = dict(sorted(by_step.items()))
    return gaps


def seed_ranges(curves: Dict[str, Dict[str, List[float]]],
                key: str = 'probe/miou') -> Dict[str, Dict[int, float]]:
    """Row -> {iteration: largest minus smallest value over its seeds} for
    the rows with two or more seeds, at the iterations two or more
    evaluated: how far runs that differ only in their seed lie apart."""
    ranges = {}
    for row, seeds in _by_row(curves, key).items():
        if len(seeds) < 2:
            continue
        steps = sorted({s for at in seeds.values() for s in at})
        values = {
            s: [at[s] for at in seeds.values() if s in at]
            for s in steps
        }
        ranges[row] = {
            s: max(v) - min(v)
            for s, v in values.items() if len(v) > 1
        }
    return ranges


def gap_table(gaps: Dict[str, Dict[int, List[float]]],
              paired_sd: Optional[Dict[str, float]] = None) -> str:
    """Markdown: one row per iteration, one column per pair of
    :func:`adjacent_gaps`: the difference of one seed, or the mean over
    two or more with its 95 % Student-t interval over seeds
    (:func:`~.statistics.paired_interval`) and ``n``. With ``paired_sd``
    (pair -> per-seed standard deviation of its difference, from a
    benchmark over seeds) each cell also gives the seeds a benchmark at
    that length would need to resolve that gap
    (:func:`~.statistics.seeds_to_resolve`; ``-`` past 1000)."""
    from .statistics import paired_interval, seeds_to_resolve
    columns: Dict[str, Dict[int, str]] = {}
    for pair, at in gaps.items():
        columns[pair] = {}
        for step, diffs in at.items():
            ci = paired_interval(diffs)
            cell = f'{ci["mean"]:+.1f}'
            if ci['n'] > 1:
                cell += f' [{ci["low"]:+.1f}, {ci["high"]:+.1f}] n={ci["n"]}'
            if paired_sd and pair in paired_sd:
                n = seeds_to_resolve(ci['mean'], paired_sd[pair])
                cell += f' ({n if n else "-"} seeds)'
            columns[pair][step] = cell
    return _steps_table(columns)


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
    first run's iteration-0 evaluation. Runs named ``ROW@SEED`` are seeds
    of one row (:func:`run_row`). The differences between rows next to
    each other are tabulated (:func:`gap_table`: an interval where seeds
    are paired), with ``sizing_runs`` (a benchmark's runs over seeds, rows
    named as the rows here) with the seeds a benchmark would need to
    resolve each; and, for rows with several seeds, their spread
    (:func:`seed_ranges`).

    Raises:
        ValueError: a run logged no probe value (names it), or two runs
            are the same seed of a row.
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
    gaps = adjacent_gaps(curves)
    if gaps:
        sd = paired_sd(sizing_runs, list(gaps)) if sizing_runs else {}
        seeds = any(len(d) > 1 for g in gaps.values() for d in g.values())
        md += [
            '## probe mIoU differences between adjacent rows', '',
            ('Each seed of a row paired with the same seed of the next '
             '(runs NAME@SEED): the mean difference, with its 95 % '
             'Student-t interval over seeds and n where two or more '
             'seeds are paired; one seed gives a difference, not an '
             'interval.'
             if seeds else 'One run each: a difference, not an interval.') +
            (' In parentheses: the seeds a benchmark would need for its '
             '95 % interval to exclude zero, were the difference the truth '
             'and its per-seed standard deviation that of the sizing runs '
             '(' + ', '.join(f'{p}: {v:.2f}'
                             for p, v in sd.items()) + ').' if sd else ''), '',
            gap_table(gaps, sd), ''
        ]
        record.update(
            gaps={
                p: [[step, d] for step, d in g.items()]
                for p, g in gaps.items()
            },
            paired_sd=sd)
    ranges = seed_ranges(curves)
    if ranges:
        md += [
            '## probe mIoU, spread over seeds', '',
            'Largest minus smallest value over the seeds of a row (runs '
            'NAME@SEED that differ only in `randomness.seed`).', '',
            _steps_table({
                row: {
                    step: f'{v:.1f}'
                    for step, v in at.items()
                }
                for row, at in ranges.items()
            }), ''
        ]
        record['seed_ranges'] = {
            row: [[step, v] for step, v in at.items()]
            for row, at in ranges.items()
        }
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
