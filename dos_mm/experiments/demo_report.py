"""The demo's report: report.json, report.md and pictures."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from dos_mm.evaluation.point_features import encode_scan
from dos_mm.utils.atomic_write import atomic_write_text
from dos_mm.visualization import (plot_detections, plot_predictions,
                                  plot_probe_curve, plot_prototype_map,
                                  plot_softmaps, plot_usage_vs_zipf)
from .probe_curve import curve_table, read_probe_curve


def _mean(values: List) -> float:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else float('nan')


def summarise(res: Dict, head: Sequence[str]) -> Dict:
    """mIoU, accuracy, per-class IoU and the head / tail split (percent)."""
    per_class = res['per_class']
    tail = [n for n in per_class if n not in head]
    return dict(
        miou=res['miou'],
        acc=res['acc'],
        per_class=per_class,
        head_miou=_mean([per_class[n] for n in head if n in per_class]),
        tail_miou=_mean([per_class[n] for n in tail]))


def markdown_table(summary: Dict[str, Dict], names: Sequence[str]) -> str:
    models = list(summary)
    fmt = lambda v: '-' if v is None else f'{v:.1f}'  # noqa: E731
    rows = [
        '| class | ' + ' | '.join(models) + ' |',
        '|---|' + '---|' * len(models)
    ]
    for n in names:
        rows.append(f'| {n} | ' + ' | '.join(
            fmt(summary[m]['per_class'][n]) for m in models) + ' |')
    for key in ('head_miou', 'tail_miou', 'miou'):
        rows.append(f'| **{key}** | ' + ' | '.join(f'**{summary[m][key]:.1f}**'
                                                   for m in models) + ' |')
    return '\n'.join(rows)


@torch.no_grad()
def _pictures(work_dir: str, model, results: Dict, scans, names) -> Dict:
    logits = [encode_scan(model, pts)['logits'].cpu() for pts, _ in scans]
    k = logits[0].shape[1]
    counts = sum(torch.bincount(lg.argmax(1), minlength=k) for lg in logits)
    alpha = model.head.target.alpha
    files = dict(
        usage='usage_vs_zipf.png',
        softmaps='softmaps.png',
        predictions='predictions.png',
        prototype_map='prototype_map.png')
    plot_usage_vs_zipf(counts.numpy(), alpha, osp.join(work_dir,
                                                       files['usage']))
    pts, labels = scans[0]
    enc = {
        k: v.cpu()
        for k, v in encode_scan(model, pts).items() if torch.is_tensor(v)
    }
    soft = torch.softmax(enc['logits'] / model.head.teacher_temp, dim=0)
    order = torch.argsort(counts, descending=True).tolist()
    protos = [order[i] for i in (0, 5, 20, 60) if i < len(order)]
    xy = pts[enc['rows'], :2].numpy()
    plot_softmaps(xy, soft[enc['point_cell']].numpy(), protos,
                  osp.join(work_dir, files['softmaps']))
    panels = {'ground truth': labels[enc['rows']].numpy()}
    for name, res in results.items():
        panels[f'{name} probe ({res["miou"]:.1f} mIoU)'] = \
            res['predictions'][0]
    plot_predictions(xy, panels, names, osp.join(work_dir,
                                                 files['predictions']))
    top = enc['logits'].argmax(1)[enc['point_cell']].numpy()
    plot_prototype_map(xy, labels[enc['rows']].numpy(), top, names,
                       osp.join(work_dir, files['prototype_map']))
    return dict(
        files, prototypes_in_use=int((counts > 0).sum()), num_prototypes=k)


def detection_table(detection: Dict[str, Dict]) -> str:
    """Markdown: AP per class and mAP (percent) of each arm."""
    arms = list(detection)
    classes = list(next(iter(detection.values()))['ap'])
    rows = [
        '| class | ' + ' | '.join(arms) + ' |', '|---|' + '---|' * len(arms)
    ]
    for name in classes:
        rows.append(f'| {name} | ' + ' | '.join(
            f'{detection[a]["ap"].get(name, float("nan")):.1f}'
            for a in arms) + ' |')
    rows.append('| **mAP** | ' + ' | '.join(f'**{detection[a]["map"]:.1f}**'
                                            for a in arms) + ' |')
    return '\n'.join(rows)


def _detection_section(work_dir: str,
                       detection: Dict[str, Dict],
                       protocol: Optional[dict] = None) -> tuple:
    """(report.json part, markdown lines, table) of the detection half;
    draws the picture of the first test scan's boxes."""
    picture = 'detections.png'
    detection = {arm: dict(res) for arm, res in detection.items()}  # a copy
    scans = {
        arm: res.pop('scan')
        for arm, res in detection.items() if 'scan' in res
    }
    if scans:
        first = next(iter(scans.values()))
        plot_detections(
            first['points'], first['gt_boxes'], {
                f'{arm} ({detection[arm]["map"]:.1f} mAP)': s['pred_boxes']
                for arm, s in scans.items()
            }, osp.join(work_dir, picture))
    arms = list(detection)
    part = dict(detection)
    pretrained = next((a for a in arms if a.startswith('dos')), None)
    if pretrained and 'scratch' in part:
        part['margin_arm'] = pretrained
        part['margin_map'] = (part[pretrained]['map'] - part['scratch']['map'])
    one, table = detection[arms[0]], detection_table(detection)
    md = [
        '## Detection: CenterPoint from DOS and from scratch', '',
        f'The arms ({", ".join(arms)}) fine-tune CenterPoint on the same '
        f'{one["labelled"]} labelled scans for {one["iters"]} iterations '
        '(`dos_ft`: the pretrained-encoder recipe, encoder at 0.1x the rate '
        'and frozen for the first 5 % of the iterations), recompute '
        'BatchNorm statistics on training batches, and are tested with the '
        "config's test loop: nuScenes-style AP (centre-distance matching "
        "at 0.5, 1, 2, 4 m, the nuScenes devkit's functions), boxes within "
        'the detectors\' range, in percent.', '', table, ''
    ]
    if protocol and one['iters'] < protocol['iters']:
        md += [
            f'**A short fine-tune.** The protocol\'s calibrated length is '
            f'{protocol["iters"]} iterations (docs/detection.md); at '
            f'{one["iters"]} the detectors are far from converged, so these '
            'figures show how far each arm gets in a short run, not what '
            'the pretraining is worth to a trained detector.', ''
        ]
    if 'margin_map' in part:
        md.append(f'{pretrained} - scratch: **{part["margin_map"]:+.1f} '
                  'mAP** (one run; the intervals over seeds are '
                  'tools/benchmark_det.py\'s, docs/detection.md).')
        md.append('')
    times = ', '.join(f'{a} train {detection[a]["train_s"]}, test '
                      f'{detection[a]["test_s"]}' for a in arms)
    md += [f'Times (s): {times}.', '']
    if scans:
        md += [f'![detections]({picture})', '']
        part['picture'] = picture
    return part, md, table


def _curve_section(work_dir: str, report: Dict) -> List[str]:
    """The online probe's curve of the pretraining run in ``work_dir``
    (``report['probe_curve']``, a picture and markdown lines); nothing
    when the run logged none."""
    curve = read_probe_curve(work_dir)
    if not curve:
        return []
    report['probe_curve'] = curve
    start = {k: v[0] for k, v in curve.items() if curve['step'][0] == 0}
    plot_probe_curve({'DOS': curve},
                     osp.join(work_dir, 'probe_curve.png'),
                     floor=start)
    return [
        '## The online probe during pretraining', '',
        'Logged by `OnlineProbeMetric` in the validation loop '
        '(configs/_base_/datasets/synthetic_pretrain_probe.py: fitted on 10 '
        'training scans, scored on 16 validation scans, fewer fitted '
        'points than the probe above); iteration 0 is the random '
        'initialisation.', '',
        curve_table(curve), '', '![probe curve](probe_curve.png)', ''
    ]


def write_demo_report(work_dir: str,
                      model,
                      results: Dict,
                      scans,
                      names: Sequence[str],
                      head: Sequence[str],
                      timings: Dict,
                      settings: Dict,
                      detection: Optional[Dict] = None,
                      protocol: Optional[Dict] = None) -> Dict:
    """Write report.json / report.md / pictures; return them as a dict
    (with the markdown ``table`` and, with ``detection``, the
    ``detection_table``). ``protocol`` (``iters``, ``lr``) is the detection
    protocol's calibrated schedule, against which the demo's length is
    stated."""
    summary = {m: summarise(r, head) for m, r in results.items()}
    pictures = _pictures(work_dir, model, results, scans, names)
    det_part, det_md, det_table = _detection_section(
        work_dir, detection, protocol) if detection else (None, [], None)
    report = dict(
        summary,
        margin_miou=summary['dos']['miou'] - summary['random']['miou'],
        probe_channels=results['dos'].get('probe_channels'),
        head_classes=list(head),
        tail_classes=[n for n in names if n not in head],
        timings={
            k: round(v, 1)
            for k, v in timings.items()
        },
        settings=settings,
        pictures=pictures)
    if det_part is not None:
        report['detection'] = det_part
    curve_md = _curve_section(work_dir, report)
    atomic_write_text(
        osp.join(work_dir, 'report.json'),
        json.dumps(report, indent=2, default=str))
    table = markdown_table(summary, names)
    md = [
        '# dos_mm demo report', '',
        'Linear probe (one linear layer on frozen features: the '
        f'{results["dos"].get("probe_channels")} channels of the loss level '
        'and the coarser levels, up-cast to the loss cells; a class-balanced '
        'sample of the points of each labelled scan) of the DOS teacher '
        'backbone against the same probe on a randomly initialised '
        f'backbone; {settings.get("labelled")} labelled scans, '
        f'{len(scans)} held-out scans; IoU in percent over the points '
        'inside the voxel range.', '', table, '',
        f'DOS - random: **{report["margin_miou"]:+.1f} mIoU**. Timings (s): '
        f'{report["timings"]}. {pictures["prototypes_in_use"]} of '
        f'{pictures["num_prototypes"]} prototypes win some cell.', '',
        f'![usage]({pictures["usage"]})', '',
        f'![softmaps]({pictures["softmaps"]})', '',
        f'![predictions]({pictures["predictions"]})', '',
        f'![prototype map]({pictures["prototype_map"]})', ''
    ] + curve_md + det_md
    atomic_write_text(osp.join(work_dir, 'report.md'), '\n'.join(md))
    return dict(report, table=table, detection_table=det_table)
