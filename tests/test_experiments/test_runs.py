"""dos_mm.experiments.runs: what every benchmark shares."""
import json

import pytest

from dos_mm.experiments import runs


def key(run):
    return run['row'], run['seed']


def measure(row, seed, calls):
    calls.append((row, seed))
    return dict(row=row, seed=seed, score=10.0 * seed + len(row))


def test_pending_runs_resume_and_each_is_written(tmp_path):
    calls, written = [], []
    jobs = [((r, s), measure, (r, s, calls)) for s in (0, 1)
            for r in ('a', 'bb')]

    def write(done):
        written.append(len(done))
        runs.write_results(str(tmp_path), dict(runs=done))

    runs.run_pending(str(tmp_path), jobs[:3], key, write, fresh=False)
    assert written == [1, 2, 3]
    again = runs.run_pending(str(tmp_path), jobs, key, write, fresh=False)
    assert calls == [('a', 0), ('bb', 0), ('a', 1), ('bb', 1)]  # once each
    assert [key(r) for r in again] == [k for k, _, _ in jobs]
    assert runs.read_runs(str(tmp_path)) == again


def fails(*_):
    raise ValueError('broken row')


def test_a_run_failing_in_its_process_is_named_and_the_rest_kept(tmp_path):
    runs.write_results(str(tmp_path), dict(runs=[dict(row='a', seed=0)]))
    with pytest.raises(SystemExit, match=r'the run bb_0 ended without a '
                       r'result \(exit code 1'):
        runs.run_pending(str(tmp_path), [(('bb', 0), fails, ())], key,
                         lambda done: None)
    assert runs.read_runs(str(tmp_path)) == [dict(row='a', seed=0)]


def test_merge_refuses_empty_folders_and_runs_measured_twice(tmp_path):
    for name, seeds in (('p', [0]), ('q', [1]), ('r', [0])):
        (tmp_path / name).mkdir()
        (tmp_path / name / 'results.json').write_text(
            json.dumps(dict(runs=[dict(row='a', seed=s) for s in seeds])))
    folders = [str(tmp_path / n) for n in 'pq']
    assert len(runs.merge_runs(folders, key)) == 2
    with pytest.raises(SystemExit, match=r"\('a', 0\) is in both"):
        runs.merge_runs([str(tmp_path / 'p'), str(tmp_path / 'r')], key)
    with pytest.raises(SystemExit, match='has no runs'):
        runs.merge_runs([str(tmp_path / 'none')], key)


def test_paired_differences_pair_by_seed_and_say_what_they_resolve():
    data = [dict(row='b', seed=s, m=1.0 + s) for s in range(3)]
    data += [dict(row='a', seed=s, m=2.0 + s + 0.1 * s) for s in range(3)]
    data.append(dict(row='a', seed=7, m=99.0))  # no partner: not paired
    out = runs.paired_differences(data, [('a', 'b'), ('a', 'c')], 'm', 'row')
    assert list(out) == ['a - b']
    d = out['a - b']
    assert d['seeds'] == [0, 1, 2] and d['resolved'] and d['low'] > 0
    assert d['per_seed'] == pytest.approx([1.0, 1.1, 1.2])
    one = runs.paired_differences(data[:1] + data[3:4], [('a', 'b')], 'm',
                                  'row')['a - b']
    assert one['n'] == 1 and not one['resolved']
    assert runs.interval_cell(one) == '+1.0 (one seed, no interval)'
