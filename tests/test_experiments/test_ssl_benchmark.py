"""Supervised baseline and the SSL benchmark's table."""

import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.datasets.synthetic import CLASSES
from dos_mm.experiments.probe_protocol import load_infos, load_scan
from dos_mm.experiments.supervised import train_supervised
from ..conftest import TINY_CONFIG


def test_supervised_training_changes_the_backbone_not_the_head(synthetic_root):
    init_default_scope('mmdet3d')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(TINY_CONFIG)).model)
    model.init_weights()
    raw_to_class = {c.raw_id: i for i, c in enumerate(CLASSES)}
    scans = [
        load_scan(str(synthetic_root), info, raw_to_class)
        for info in load_infos(str(synthetic_root), 'train')[:2]
    ]
    before = {k: v.clone() for k, v in model.student.state_dict().items()}
    head = train_supervised(model, scans, len(CLASSES), iters=2)
    after = model.student.state_dict()
    assert head.out_features == len(CLASSES)
    assert not torch.equal(before['backbone.conv_input.0.weight'],
                           after['backbone.conv_input.0.weight'])
    assert torch.equal(before['head.prototypes.weight'],
                       after['head.prototypes.weight'])
    with pytest.raises(ValueError, match='at least one scan'):
        train_supervised(model, [], len(CLASSES), iters=1)


def test_benchmark_table_reports_mean_std_and_gap():
    from dos_mm.experiments.ssl_tables import table
    runs = [
        dict(method=m, seed=s, miou=v + s, tail_miou=1.0, head_miou=2.0)
        for m, v in (('random', 30.0), ('supervised', 70.0), ('dos', 50.0))
        for s in (0, 2)
    ]
    md = table(runs)
    # the sample std (ddof 1): 30 and 32 -> 1.4
    assert '| random | 31.0 ± 1.4 | 1.0 ± 0.0 | 2.0 ± 0.0 | 2 |' in md
    assert 'DOS closes 50 % of the gap' in md


def test_benchmark_reports_paired_differences_and_what_they_resolve():
    from dos_mm.experiments.ssl_tables import paired_differences, table
    miou = {
        'dos': (50.0, 53.0, 51.0),
        'softmaps': (49.0, 54.0, 50.0),  # +1, -1, +1: not resolved
        'random': (30.0, 31.0, 29.0),  # +20, +22, +22: resolved
    }
    runs = [
        dict(method=m, seed=s, miou=v[s], tail_miou=v[s] / 2, head_miou=1.)
        for m, v in miou.items() for s in range(3)
    ]
    runs.append(
        dict(
            method='dos_assignment',
            seed=0,
            miou=1.,
            tail_miou=1.,
            head_miou=1.))  # its baseline's seed 0 only: 1 pair
    found = {(e['row'], e['baseline']): e for e in paired_differences(runs)}
    soft = found[('dos', 'softmaps')]
    assert soft['miou']['per_seed'] == [1.0, -1.0, 1.0]
    assert soft['miou']['low'] < 0 < soft['miou']['high']
    assert not soft['resolved']
    assert found[('dos', 'random')]['resolved']
    assert not found[('dos_assignment', 'dos')]['resolved']  # one seed
    md = table(runs)
    assert '| dos_assignment - dos | -49.0 (one seed, no interval) |' in md
    assert '| dos - softmaps | +0.3 (' in md and '| 3 | no |' in md
    assert '| dos - random | +21.3 (' in md


def test_benchmark_table_reports_label_efficiency():
    from dos_mm.experiments.ssl_tables import table
    runs = [
        dict(method=m, seed=0, miou=v, tail_miou=1.0, head_miou=2.0)
        for m, v in (('finetune_scratch_1pct', 20.0), ('finetune_dos_1pct',
                                                       32.5))
    ]
    assert 'Fine-tuning on 1 % of the scans: DOS 32.5 vs scratch 20.0 ' \
        'mIoU (+12.5)' in table(runs)


def test_benchmark_label_efficiency_rows_run(tmp_path):
    """dos, then fine-tuning from its checkpoint and from scratch, on a
    10 % split (tiny settings)."""
    from dos_mm.experiments.ssl_benchmark import main
    out = tmp_path / 'bench'
    assert main([
        '--out',
        str(out), '--data',
        str(tmp_path / 'data'), '--config',
        str(TINY_CONFIG), '--seeds', '0', '--iters', '2', '--methods', 'dos',
        'finetune_dos_10pct', 'finetune_scratch_10pct', '--num-train', '10',
        '--num-val', '1', '--labelled', '2', '--finetune-iters', '2',
        '--threads', '1'
    ]) == 0
    import json
    runs = json.loads((out / 'results.json').read_text())['runs']
    assert [r['method'] for r in runs
            ] == ['dos', 'finetune_dos_10pct', 'finetune_scratch_10pct']
    assert all(0 <= r['miou'] <= 100 for r in runs)
    assert 0 <= runs[0]['diagnostics']['nmi'] <= 1  # the pretrained row
    assert '| dos | ' in (out / 'results.md').read_text().split('NMI')[1]
    assert 'Fine-tuning on 10 % of the scans' in \
        (out / 'results.md').read_text()
    # a second invocation keeps the measured runs and only adds new ones
    assert main([
        '--out',
        str(out), '--data',
        str(tmp_path / 'data'), '--config',
        str(TINY_CONFIG), '--seeds', '0', '--iters', '2', '--methods', 'dos',
        'random', '--num-train', '10', '--num-val', '1', '--labelled', '2',
        '--threads', '1'
    ]) == 0
    again = json.loads((out / 'results.json').read_text())['runs']
    assert again[:3] == runs and [r['method'] for r in again[3:]] == ['random']


def test_benchmark_run_that_fails_in_its_process_names_itself_and_keeps(
        tmp_path):
    """Each run is a fresh process: one that fails ends the benchmark with
    an error naming the run, and the runs before it stay in results.json."""
    import json

    from dos_mm.experiments.ssl_benchmark import main
    common = [
        '--out',
        str(tmp_path / 'bench'), '--data',
        str(tmp_path / 'data'), '--seeds', '0', '--num-train', '4',
        '--num-val', '1', '--labelled', '2', '--threads', '1'
    ]
    assert main(
        common +
        ['--config', str(TINY_CONFIG), '--methods', 'random']) == 0
    with pytest.raises(
            SystemExit,
            match=r'the run dos_0 ended without a result '
            r'\(exit code 1.*run the same command again'):
        main(common +
             ['--config',
              str(tmp_path / 'missing.py'), '--methods', 'dos'])
    runs = json.loads((tmp_path / 'bench' / 'results.json').read_text())
    assert [r['method'] for r in runs['runs']] == ['random']


def test_benchmark_merge_tabulates_split_runs_and_refuses_duplicates(tmp_path):
    """Rows measured by separate processes are tabulated together; the same
    (method, seed) in two folders is refused, not counted twice."""
    import json

    from dos_mm.experiments.ssl_benchmark import main
    for name, methods in (('a', ('random', 'dos')), ('b', ('supervised', ))):
        (tmp_path / name).mkdir()
        runs = [
            dict(method=m, seed=0, miou=v, tail_miou=1.0, head_miou=2.0)
            for m, v in (('random', 30.0), ('supervised', 70.0), ('dos', 50.0))
            if m in methods
        ]
        (tmp_path / name / 'results.json').write_text(
            json.dumps(dict(runs=runs)))
    out = tmp_path / 'all'
    assert main([
        '--merge',
        str(tmp_path / 'a'),
        str(tmp_path / 'b'), '--out',
        str(out)
    ]) == 0
    assert 'DOS closes 50 % of the gap' in (out / 'results.md').read_text()
    with pytest.raises(SystemExit, match=r"\('random', 0\) is in both"):
        main([
            '--merge',
            str(tmp_path / 'a'),
            str(tmp_path / 'a'), '--out',
            str(out)
        ])


@pytest.mark.parametrize('method', [
    'masked_distillation', 'sonata_masked', 'observable', 'softmaps', 'dos',
    'dos_assignment', 'dos_proj2048'
])
def test_benchmark_rows_build_what_they_name(method):
    from mmdet3d.registry import MODELS
    from mmengine.registry import init_default_scope

    from dos_mm.experiments.ssl_rows import CONFIG, METHODS
    from dos_mm.utils import load_config
    init_default_scope('mmdet3d')
    cfg = load_config(METHODS[method] or CONFIG)
    model = MODELS.build(cfg.model)
    alpha = model.schedule_at(1, 1)['alpha']  # after the warm-up
    expect = dict(
        masked_distillation=('mask_token', 0.0),
        sonata_masked=('mask_token_all', 0.0),
        observable=('observable', 0.0),
        softmaps=('observable', 0.0)).get(method, ('observable', 1.3))
    assert (model.data_preprocessor.student_input, alpha) == expect
    assert model.head.target.usage_measure == (
        'assignment' if method == 'dos_assignment' else 'exp_mass')
    width = model.student.head.projector[0].out_features
    assert width == (2048 if method == 'dos_proj2048' else 512)


def test_benchmark_ptv3_row_pretrains_its_own_config(tmp_path):
    """The PTv3 row (configs/dos/pretrain_demo_ptv3.py, 2 steps) is probed
    like the others and its seconds per step are tabulated."""
    from dos_mm.experiments.ssl_benchmark import main
    out = tmp_path / 'bench'
    assert main([
        '--out',
        str(out), '--data',
        str(tmp_path / 'data'), '--seeds', '0', '--iters', '2', '--methods',
        'ptv3_small', '--num-train', '4', '--num-val', '1', '--labelled', '2',
        '--threads', '1', '--in-process'
    ]) == 0
    import json
    run, = json.loads((out / 'results.json').read_text())['runs']
    assert run['method'] == 'ptv3_small' and 0 <= run['miou'] <= 100
    assert run['step_seconds'] > 0
    cfg = (out / 'ptv3_small_seed0' / 'pretrain_demo_ptv3.py').read_text()
    assert 'PointTransformerV3' in cfg
    row = next(
        line for line in (out / 'results.md').read_text().splitlines()
        if line.startswith('| ptv3_small | 0.'))
    assert row.endswith(f"| {run['step_seconds']:.2f} |")


def test_a_finetune_row_without_its_dos_row_is_an_error(tmp_path):
    from dos_mm.experiments.ssl_benchmark import dos_model, parse_args
    args = parse_args(['--out', str(tmp_path), '--iters', '7'])
    with pytest.raises(FileNotFoundError, match=r'dos_seed3/iter_7\.pth '
                       r'does not exist.*list dos before them'):
        dos_model(args, 3)
    assert list(tmp_path.iterdir()) == []  # nothing pretrained behind it


def test_row_configs_can_be_replaced(tmp_path):
    from dos_mm.experiments.ssl_benchmark import parse_args, row_config
    from dos_mm.experiments.ssl_rows import CONFIG, METHODS
    args = parse_args(['--row-config', 'softmaps', 'mine.py'])
    assert row_config(args, 'softmaps') == 'mine.py'
    assert row_config(args, 'dos') == CONFIG
    assert row_config(args, 'observable') == METHODS['observable']
