"""The detection benchmark: a tiny run end to end (slow), resume, merge,
one protocol per table, and the calibration's record (the summary's tests
are in test_detection_tables.py)."""
import json

import pytest

from dos_mm.experiments import detection_benchmark as bench
from dos_mm.experiments import detection_protocol as det
from .test_detection_tables import det_run


def _main():
    from dos_mm.experiments.detection_benchmark import main
    return main


def test_merge_refuses_duplicates_and_mixed_protocols(tmp_path):
    for name, runs in (('a', [det_run('scratch', 0, 1.0)
                              ]), ('b', [det_run('scratch', 1, 2.0)]),
                       ('c', [det_run('scratch', 2, 2.0, iters=600)])):
        (tmp_path / name).mkdir()
        (tmp_path / name / 'results.json').write_text(
            json.dumps(dict(runs=runs)))
    assert len(bench.merge([str(tmp_path / 'a'), str(tmp_path / 'b')])) == 2
    with pytest.raises(SystemExit, match='in both'):
        bench.merge([str(tmp_path / 'a'), str(tmp_path / 'a')])
    with pytest.raises(SystemExit, match='different protocols'):
        bench.merge([str(tmp_path / 'a'), str(tmp_path / 'c')])
    main = _main()
    assert main([
        '--merge',
        str(tmp_path / 'a'),
        str(tmp_path / 'b'), '--out',
        str(tmp_path / 'm')
    ]) == 0
    assert (tmp_path / 'm' / 'results.md').exists()


def test_calibration_resumes_and_records_the_choice(tmp_path, monkeypatch):
    """Each rate runs once (a rerun keeps what is measured); the choice is
    saved with the curves; another length in the same folder is refused."""
    calls = []

    def fake(data, work, ann, lr, iters, every, seed, threads):
        calls.append(lr)
        scale = {1e-3: 1.0, 2e-3: 2.0}[lr]
        return [
            dict(iter=every * (i + 1), map=scale * v, ap={})
            for i, v in enumerate([1.0, 4.0, 5.0])
        ]

    monkeypatch.setattr(det, 'calibrate_rate', fake)
    monkeypatch.setattr(det, 'labelled_split', lambda *a: 'split.pkl')
    out = str(tmp_path / 'cal')
    bench.calibrate(out, 'data', 0.2, 0, [1e-3], 600, 200)
    record = bench.calibrate(out, 'data', 0.2, 0, [1e-3, 2e-3], 600, 200)
    assert calls == [1e-3, 2e-3]
    assert record['choice']['lr'] == 2e-3
    assert record['choice']['iters'] == 600  # 10 >= 9.5; 8 is not
    saved = json.loads((tmp_path / 'cal' / 'calibration.json').read_text())
    assert saved['choice'] == record['choice']
    assert 'Chosen for every arm' in (tmp_path / 'cal' /
                                      'calibration.md').read_text()
    with pytest.raises(SystemExit, match='another length'):
        bench.calibrate(out, 'data', 0.2, 0, [1e-3], 900, 200)


@pytest.mark.slow
def test_benchmark_runs_every_arm_and_resumes(tmp_path):
    main = _main()
    common = [
        '--data',
        str(tmp_path / 'data'), '--iters', '2', '--det-iters', '2',
        '--num-train', '4', '--num-val', '1', '--num-test', '1', '--fractions',
        '0.5', '--threads', '2'
    ]
    out = tmp_path / 'a'
    assert main(['--out', str(out), '--seeds', '0'] + common) == 0
    result = json.loads((out / 'results.json').read_text())
    runs = result['runs']
    assert sorted(r['arm'] for r in runs) == sorted(det.CONFIGS)
    assert all(r['labelled'] == 2 and r['iters'] == 2 for r in runs)
    assert result['settings']['protocol']['iters'] == 2
    diff = result['summary']['0.5']['diffs']['dos_ft - scratch']
    by_arm = {r['arm']: r['map'] for r in runs}
    assert diff['mean'] == pytest.approx(by_arm['dos_ft'] - by_arm['scratch'])
    # a rerun skips what is done (the pretraining and every run)
    assert main(['--out', str(out), '--seeds', '0'] + common) == 0
    assert len(json.loads((out / 'results.json').read_text())['runs']) == 5


def test_data_folder_of_other_settings_is_an_error(tmp_path, capsys):
    """A folder generated with other counts (an earlier benchmark's, with
    no test split) is named with the fix, and left as it is."""
    from dos_mm.datasets.synthetic import generate_dataset
    data = tmp_path / 'data'
    generate_dataset(str(data), 2, 1, 0)
    before = sorted(p.name for p in data.iterdir())
    assert _main()([
        '--data',
        str(data), '--num-train', '2', '--num-val', '1', '--num-test', '1',
        '--out',
        str(tmp_path / 'out')
    ]) == 2
    assert 'already holds other data' in capsys.readouterr().err
    assert sorted(p.name for p in data.iterdir()) == before
