"""tools/benchmark_det.py on a tiny budget: runs, resume, paired
differences, merge."""
import json
import sys

import pytest

from ..conftest import REPO


def _main():
    sys.path.insert(0, str(REPO / 'tools'))
    from benchmark_det import main
    return main


@pytest.mark.slow
def test_benchmark_runs_resumes_and_merges(tmp_path):
    main = _main()
    common = [
        '--data',
        str(tmp_path / 'data'), '--iters', '2', '--det-iters', '2',
        '--num-train', '4', '--num-val', '1', '--fractions', '0.5',
        '--threads', '2'
    ]
    out = tmp_path / 'a'
    assert main(
        ['--out',
         str(out), '--seeds', '0', '--arms', 'scratch', 'dos'] + common) == 0
    result = json.loads((out / 'results.json').read_text())
    runs = result['runs']
    assert sorted(r['arm'] for r in runs) == ['dos', 'scratch']
    assert all(r['labelled'] == 2 and r['iters'] == 2 for r in runs)
    diff = result['summary']['0.5']['diffs']['dos - scratch']
    by_arm = {r['arm']: r['map'] for r in runs}
    assert diff['mean'] == pytest.approx(by_arm['dos'] - by_arm['scratch'])
    assert diff['n'] == 1 and diff['seeds'] == [0]
    # a rerun skips what is done (the pretraining and both runs)
    assert main(
        ['--out',
         str(out), '--seeds', '0', '--arms', 'scratch', 'dos'] + common) == 0
    assert len(json.loads((out / 'results.json').read_text())['runs']) == 2
    other = tmp_path / 'b'
    assert main(
        ['--out',
         str(other), '--seeds', '1', '--arms', 'scratch', 'dos'] + common) == 0
    merged = tmp_path / 'm'
    assert main(['--merge', str(out), str(other), '--out', str(merged)]) == 0
    summary = json.loads((merged / 'results.json').read_text())['summary']
    diff = summary['0.5']['diffs']['dos - scratch']
    assert diff['n'] == 2 and diff['low'] <= diff['mean'] <= diff['high']
    assert '95 % interval' in (merged / 'results.md').read_text()
    with pytest.raises(SystemExit, match='in both'):
        main(['--merge', str(out), str(out), '--out', str(merged)])


def test_paired_interval():
    from dos_mm.evaluation.statistics import paired_interval
    res = paired_interval([3.3, 0.9, 0.2])
    assert res['mean'] == pytest.approx(1.4667, abs=1e-3)
    assert res['low'] == pytest.approx(-2.572, abs=1e-2)
    assert res['high'] == pytest.approx(5.505, abs=1e-2)
    one = paired_interval([2.0])
    assert one['low'] == one['high'] == one['mean'] == 2.0


def test_runs_of_different_learning_rates_do_not_mix(tmp_path):
    """--det-lr: a folder holds one fine-tuning rate; merge and resume
    refuse to mix rates (before any data is generated)."""
    main = _main()
    run = dict(arm='scratch', seed=0, fraction=0.5, map=1.0, labelled=2)
    for name, extra in (('default', {}), ('lr', dict(lr=5e-4, seed=5)),
                        ('seed1', dict(seed=1))):
        (tmp_path / name).mkdir()
        (tmp_path / name / 'results.json').write_text(
            json.dumps(dict(runs=[dict(run, **extra)])))
    with pytest.raises(SystemExit, match='different learning rates'):
        main(['--merge', str(tmp_path / 'default'), str(tmp_path / 'lr'),
              '--out', str(tmp_path / 'm')])
    assert main(['--merge', str(tmp_path / 'default'),
                 str(tmp_path / 'seed1'), '--out', str(tmp_path / 'm')]) == 0
    with pytest.raises(SystemExit, match='another --out'):
        main(['--out', str(tmp_path / 'lr'), '--data',
              str(tmp_path / 'data')])
    assert not (tmp_path / 'data').exists()
