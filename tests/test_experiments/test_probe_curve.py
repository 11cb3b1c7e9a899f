"""Reading the online probe's curve back from a run's scalar files."""
import json

import pytest

from dos_mm.experiments.probe_curve import curve_table, read_probe_curve


def write_scalars(folder, rows):
    folder.mkdir(parents=True)
    with open(folder / 'scalars.json', 'w') as f:
        for row in rows:
            f.write(json.dumps(row) + '\n')


def test_curve_merges_resumed_runs_and_skips_training_rows(tmp_path):
    write_scalars(tmp_path / '20260101_000000' / 'vis_data', [
        dict(step=0, **{
            'probe/miou': 10.0,
            'probe/nmi': 0.1
        }),
        dict(step=5, loss=3.0),
        dict(step=10, **{
            'probe/miou': 20.0,
            'probe/nmi': 0.2
        }),
    ])
    write_scalars(tmp_path / '20260102_000000' / 'vis_data', [
        dict(step=10, **{
            'probe/miou': 21.0,
            'probe/nmi': 0.2
        }),
        dict(step=20, **{
            'probe/miou': 30.0,
            'probe/nmi': 0.3
        }),
    ])
    curve = read_probe_curve(str(tmp_path))
    assert curve['step'] == [0, 10, 20]
    assert curve['probe/miou'] == [10.0, 21.0, 30.0]  # resumed replaces
    table = curve_table(curve)
    assert '| 20 | 30.0 | 0.30 |' in table
    assert 'loss' not in table


def test_a_run_without_probe_has_no_curve(tmp_path):
    write_scalars(tmp_path / 'x' / 'vis_data', [dict(step=1, loss=1.0)])
    assert read_probe_curve(str(tmp_path)) == {}
    assert curve_table({}).count('\n') == 1  # the header only


def test_no_folder_no_curve(tmp_path):
    assert read_probe_curve(str(tmp_path / 'nothing_here')) == {}


def test_curve_report_of_two_runs(tmp_path):
    from dos_mm.experiments.probe_curve import curve_report
    for name, base in (('a', 10.0), ('b', 12.0)):
        write_scalars(tmp_path / name / 't' / 'vis_data', [
            dict(
                step=s,
                **{
                    'probe/miou': base + s,
                    'probe/proto_many_to_one_miou': s / 2
                }) for s in (0, 10)
        ])
    out = tmp_path / 'out'
    curves = curve_report(
        dict(a=str(tmp_path / 'a'), b=str(tmp_path / 'b')), str(out))
    assert curves['b']['probe/miou'] == [12.0, 22.0]
    md = (out / 'probe_curves.md').read_text()
    assert '| 10 | 20.0 | 22.0 |' in md
    assert (out / 'probe_curves.png').stat().st_size > 1000


def test_evaluation_cost_from_log_lines():
    from dos_mm.experiments.probe_curve import evaluation_cost
    lines = [
        '2026/01/01 00:00:00 - mmengine - INFO - Iter(val) [2/2] '
        'probe/miou: 1.0',  # iteration 0
        '2026/01/01 00:00:50 - mmengine - INFO - Iter(train) [5/20] x',
        '2026/01/01 00:01:40 - mmengine - INFO - Iter(train) [10/20] x',
        '2026/01/01 00:01:50 - mmengine - INFO - Iter(val) [1/2] eta',
        '2026/01/01 00:01:50 - mmengine - INFO - Iter(val) [2/2] '
        'probe/miou: 2.0',
        '2026/01/01 00:03:50 - mmengine - INFO - Iter(train) [20/20] x',
        '2026/01/01 00:04:20 - mmengine - INFO - Iter(val) [2/2] '
        'probe/miou: 3.0',
    ]
    cost = evaluation_cost(lines)
    assert cost['evaluation_s'] == [10.0, 30.0]
    assert cost['training_s'] == [100.0, 120.0]
    assert cost['share'] == [0.1, 0.25]


def test_adjacent_gaps_and_the_seeds_they_need(tmp_path):
    from dos_mm.experiments.probe_curve import curve_report
    bases = dict(dos=30.0, softmaps=29.0, observable=29.0)
    for name, base in bases.items():
        write_scalars(
            tmp_path / name / 't' / 'vis_data',
            [dict(step=s, **{'probe/miou': base + s}) for s in (0, 10)])
    # the benchmark: dos - softmaps per seed 0 and 2 (sd 1.414...)
    sizing = [
        dict(method=m, seed=s, miou=v)
        for m, s, v in (('dos', 0, 20.0), ('softmaps', 0, 20.0),
                        ('dos', 1, 22.0), ('softmaps', 1, 20.0))
    ]
    out = tmp_path / 'out'
    curve_report(
        {n: str(tmp_path / n)
         for n in ('dos', 'softmaps', 'observable')}, str(out), sizing)
    md = (out / 'probe_curves.md').read_text()
    assert '| iteration | dos - softmaps | softmaps - observable |' in md
    # gap 1.0, sd sqrt(2): 11 seeds (t(0.975, 10) sqrt(2) / sqrt(11) = 0.95;
    # 10 give 1.01)
    assert '| 10 | +1.0 (11 seeds) | +0.0 |' in md
    assert 'dos - softmaps: 1.41' in md
    record = json.loads((out / 'probe_curves.json').read_text())
    assert record['gaps']['dos - softmaps'] == [[0, [1.0]], [10, [1.0]]]


def test_run_names_give_row_and_seed():
    from dos_mm.experiments.probe_curve import run_row
    assert run_row('dos@1') == ('dos', '1')
    assert run_row('dos') == ('dos', '0')  # the configs' default seed
    assert run_row('masked_distillation@12') == ('masked_distillation', '12')


def test_seeds_of_a_row_are_paired_with_an_interval(tmp_path):
    from dos_mm.experiments.probe_curve import curve_report
    bases = {
        'dos': 30.0,
        'dos@1': 31.0,
        'softmaps': 29.0,
        'softmaps@1': 29.5,
        'observable': 28.0
    }
    for name, base in bases.items():
        write_scalars(
            tmp_path / name / 't' / 'vis_data',
            [dict(step=s, **{'probe/miou': base + s}) for s in (0, 10)])
    out = tmp_path / 'out'
    curve_report({n: str(tmp_path / n) for n in bases}, str(out))
    md = (out / 'probe_curves.md').read_text()
    # seed 0: 1.0, seed 1: 1.5; mean 1.25, sd 0.354, t(0.975, 1) = 12.71:
    # half-width 3.18; softmaps - observable has seed 0 only
    assert '| 10 | +1.2 [-1.9, +4.4] n=2 | +1.0 |' in md
    assert '| iteration | dos | softmaps |' in md  # the seed spreads
    assert '| 10 | 1.0 | 0.5 |' in md
    record = json.loads((out / 'probe_curves.json').read_text())
    assert record['gaps']['dos - softmaps'][1] == [10, [1.0, 1.5]]
    assert record['seed_ranges']['softmaps'] == [[0, 0.5], [10, 0.5]]
    assert (out / 'probe_curves.png').stat().st_size > 1000


def test_seeds_of_one_row_alone_have_no_gap(tmp_path):
    from dos_mm.experiments.probe_curve import curve_report
    for name, base in (('dos', 30.0), ('dos@1', 30.5)):
        write_scalars(tmp_path / name / 't' / 'vis_data',
                      [dict(step=0, **{'probe/miou': base})])
    out = tmp_path / 'out'
    curve_report({n: str(tmp_path / n) for n in ('dos', 'dos@1')}, str(out))
    md = (out / 'probe_curves.md').read_text()
    assert 'differences between adjacent rows' not in md
    assert '| 0 | 0.5 |' in md


def test_one_seed_of_a_row_named_twice_is_an_error(tmp_path):
    from dos_mm.experiments.probe_curve import adjacent_gaps
    curve = {'step': [0], 'probe/miou': [1.0]}
    with pytest.raises(ValueError, match="seed 0 of row 'dos'.*'dos@0'"):
        adjacent_gaps({'dos': curve, 'dos@0': curve})
