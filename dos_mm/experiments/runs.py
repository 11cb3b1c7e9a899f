"""How every benchmark runs: rows x seeds, each run in a fresh process,
the results file rewritten atomically after each run (a benchmark resumes
where it stopped, and runs in parts), parts merged with their checks, and
the paired differences of named comparisons with their intervals.

A run is a JSON-able dict; ``key(run)`` (e.g. ``(row, seed)``) names it.
"""
import argparse
import json
import multiprocessing
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from dos_mm.utils.atomic_write import atomic_write_json, atomic_write_text
from .statistics import paired_interval

Key = Callable[[dict], tuple]
Job = Tuple[tuple, Callable[..., dict], tuple]  # (key, target, args)


def read_runs(folder: str) -> List[dict]:
    """The ``runs`` of ``folder/results.json`` (none when it does not
    exist): what a split benchmark has measured so far."""
    path = osp.join(folder, 'results.json')
    if not osp.isfile(path):
        return []
    with open(path) as f:
        return json.load(f)['runs']


def write_record(out: str,
                 name: str,
                 payload: dict,
                 markdown: Optional[str] = None) -> None:
    """``out/name.json`` (``payload``) and, when given, ``out/name.md``,
    each replaced whole."""
    atomic_write_json(osp.join(out, f'{name}.json'), payload)
    if markdown is not None:
        atomic_write_text(osp.join(out, f'{name}.md'), markdown)


def write_results(out: str,
                  payload: dict,
                  markdown: Optional[str] = None) -> None:
    """:func:`write_record` of ``results`` (``payload`` holds ``runs``)."""
    write_record(out, 'results', payload, markdown)


def merge_runs(dirs: Sequence[str], key: Key) -> List[dict]:
    """The runs of several output folders; a folder without runs, or a run
    (by ``key``) measured in two folders, is an error (the table would
    count it twice)."""
    runs, seen = [], {}
    for folder in dirs:
        found = read_runs(folder)
        if not found:
            raise SystemExit(f'error: {folder}/results.json has no runs: '
                             f'run the benchmark with --out {folder} first')
        for run in found:
            k = key(run)
            if k in seen:
                raise SystemExit(f'error: {k} is in both {seen[k]} and '
                                 f'{folder}; merge one of them')
            seen[k] = folder
            runs.append(run)
    return runs


def _run_and_write(target: Callable[..., dict], args: tuple,
                   path: str) -> None:
    """The body of :func:`run_in_fresh_process`'s process."""
    atomic_write_json(path, target(*args))


def run_in_fresh_process(target: Callable[..., dict], args: tuple, label: str,
                         out: str) -> dict:
    """``target(*args)`` in a new (spawned) process, whose memory goes
    back to the system when the run ends.

    Why: in one long-lived process memory builds up over the runs, and
    every training forks its data workers from that whole process; two
    such benchmarks side by side were killed for memory on a 24 GiB
    machine.

    Raises:
        SystemExit: the process failed or was killed; the runs measured
            so far stay in ``out``'s results.json.
    """
    path = osp.join(out, f'{label}.run.json')
    if osp.exists(path):
        os.remove(path)
    proc = multiprocessing.get_context('spawn').Process(
        target=_run_and_write, args=(target, args, path))
    proc.start()
    proc.join()
    if proc.exitcode != 0 or not osp.isfile(path):
        why = ('killed (SIGKILL): most often the kernel, out of memory'
               if proc.exitcode == -9 else f'exit code {proc.exitcode}')
        raise SystemExit(
            f'error: the run {label} ended without a result ({why}; its '
            'output is above). The runs measured so far are kept in '
            f'{osp.join(out, "results.json")}: run the same command again '
            'to go on from there.')
    with open(path) as f:
        result = json.load(f)
    os.remove(path)
    return result


def run_pending(out: str,
                jobs: Sequence[Job],
                key: Key,
                write: Callable[[List[dict]], None],
                fresh: bool = True) -> List[dict]:
    """Every job whose key is not among ``out``'s runs, in order, each in a
    fresh process (or this one); ``write(runs)`` after each. Returns all
    runs (those found and those run)."""
    os.makedirs(out, exist_ok=True)
    runs = read_runs(out)
    done = {key(r) for r in runs}
    for k, target, args in jobs:
        if k in done:
            continue
        label = '_'.join(str(part) for part in k)
        runs.append(
            run_in_fresh_process(target, args, label, out
                                 ) if fresh else target(*args))
        done.add(k)
        write(runs)
    return runs


def paired_differences(runs: Sequence[dict],
                       comparisons: Sequence[Tuple[str, str]],
                       metric: str,
                       row: str,
                       pair: str = 'seed') -> Dict[str, dict]:
    """For each ``(a, b)`` of ``comparisons`` with runs of both rows: the
    mean difference ``a - b`` of ``metric`` over the values of ``pair``
    (the seeds) both have, its Student-t 95 % interval, the per-seed
    differences, and ``resolved`` (two or more pairs and an interval that
    excludes 0). Keys are ``'a - b'``; ``row`` names the run's row field."""
    by = {(r[row], r[pair]): r[metric] for r in runs if metric in r}
    out = {}
    for a, b in comparisons:
        seeds = sorted(s for name, s in by if name == a and (b, s) in by)
        if not seeds:
            continue
        d = [by[(a, s)] - by[(b, s)] for s in seeds]
        interval = paired_interval(d)
        out[f'{a} - {b}'] = dict(
            interval,
            per_seed=d,
            seeds=seeds,
            resolved=bool(interval['n'] > 1
                          and (interval['low'] > 0 or interval['high'] < 0)))
    return out


def interval_cell(d: dict) -> str:
    """``+1.2 (-0.3 to +2.7)``, or ``(one seed, no interval)``."""
    if d['n'] < 2:
        return f"{d['mean']:+.1f} (one seed, no interval)"
    return f"{d['mean']:+.1f} ({d['low']:+.1f} to {d['high']:+.1f})"


def benchmark_parser(description: str, out: str, data: str,
                     seeds: Sequence[int]) -> argparse.ArgumentParser:
    """The options every benchmark run through :func:`run_pending` has:
    ``--out``, ``--data``, ``--seeds``, ``--threads``, ``--in-process`` and
    ``--merge``, with these defaults."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--out', default=out)
    p.add_argument('--data', default=data)
    p.add_argument('--seeds', type=int, nargs='+', default=list(seeds))
    p.add_argument('--threads', type=int, default=None)
    p.add_argument(
        '--in-process',
        action='store_true',
        help='run every run in this process instead of a fresh process '
        'per run (starts faster; memory builds up over runs)')
    p.add_argument(
        '--merge',
        nargs='+',
        metavar='DIR',
        help='only tabulate the results.json of these output folders '
        'together into --out')
    return p
