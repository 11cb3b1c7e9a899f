"""tools/demo.py end to end on a tiny budget: data, pretraining, probes,
the detection half, report with the documented keys and pictures."""
import json


def test_demo_writes_report_and_pictures(tmp_path):
    from dos_mm.experiments.demo import main
    work = tmp_path / 'work'
    rc = main([
        '--work-dir',
        str(work), '--data',
        str(tmp_path / 'data'), '--num-train', '3', '--num-val', '1',
        '--labelled', '2', '--iters', '2', '--det-iters', '2', '--threads', '2'
    ])
    assert rc == 0
    report = json.loads((work / 'report.json').read_text())
    for model in ('dos', 'random'):
        assert 0 <= report[model]['miou'] <= 100
        assert set(report[model]['per_class']) >= {'road', 'car', 'person'}
    assert report['margin_miou'] == report['dos']['miou'] - \
        report['random']['miou']
    for key in ('usage', 'softmaps', 'predictions', 'prototype_map'):
        assert (work / report['pictures'][key]).stat().st_size > 1000
    # the online probe of the pretraining run: at iteration 0 (random
    # initialisation) and every val_interval (2 iterations: every one)
    assert report['probe_curve']['step'] == [0, 1, 2]
    assert (work / 'probe_curve.png').stat().st_size > 1000
    assert report['probe_channels'] == 352  # loss level (s2) and coarser
    md = (work / 'report.md').read_text()
    assert 'DOS - random' in md
    assert (work / 'iter_2.pth').exists()  # mmengine's checkpoint
    # the detection half: the pretrained-encoder recipe beside scratch,
    # trained on the same labelled scans and tested by the config's test
    # loop, each after recomputing BatchNorm statistics
    det = report['detection']
    for arm in ('dos_ft', 'scratch'):
        assert 0 <= det[arm]['map'] <= 100
        assert det[arm]['labelled'] == 2 and det[arm]['iters'] == 2
        assert set(det[arm]['ap']) <= {
            'car', 'truck', 'bus', 'motorcycle', 'bicycle', 'pedestrian',
            'traffic_cone', 'barrier'
        }
        assert det[arm]['train_s'] > 0
        assert (work / f'det_{arm}' / 'iter_2.pth').exists()
        log = next((work / f'det_{arm}').glob('*/*.log')).read_text()
        assert 'PreciseBNHook: BatchNorm statistics' in log
    assert det['margin_arm'] == 'dos_ft'
    assert det['margin_map'] == det['dos_ft']['map'] - det['scratch']['map']
    assert 'A short fine-tune' in md
    assert (work / det['picture']).stat().st_size > 1000
    assert 'CenterPoint from DOS and from scratch' in md
    assert (work / 'dos_centerpoint.pth').exists()


def test_demo_rejects_more_labelled_scans_than_exist(tmp_path, capsys):
    from dos_mm.experiments.demo import main
    assert main(
        ['--work-dir',
         str(tmp_path), '--num-train', '2', '--labelled', '5']) == 2
    assert '--labelled' in capsys.readouterr().err
