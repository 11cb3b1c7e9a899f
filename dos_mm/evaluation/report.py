"""The demo's report: report.json, report.md and pictures."""
import json
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np
import torch

from dos_mm.visualization import (plot_predictions, plot_softmaps,
                                  plot_usage_vs_zipf)
from .point_features import encode_scan


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
    logits = [encode_scan(model, pts)['logits'] for pts, _ in scans]
    k = logits[0].shape[1]
    counts = sum(torch.bincount(lg.argmax(1), minlength=k) for lg in logits)
    alpha = getattr(model, 'final_alpha', 1.3)
    files = dict(
        usage='usage_vs_zipf.png',
        softmaps='softmaps.png',
        predictions='predictions.png')
    plot_usage_vs_zipf(counts.numpy(), alpha, osp.join(work_dir,
                                                       files['usage']))
    pts, labels = scans[0]
    enc = encode_scan(model, pts)
    soft = torch.softmax(enc['logits'] / model.teacher_temp, dim=0)
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
    return dict(
        files, prototypes_in_use=int((counts > 0).sum()), num_prototypes=k)


def write_demo_report(work_dir: str, model, results: Dict, scans,
                      names: Sequence[str], head: Sequence[str], timings: Dict,
                      settings: Dict) -> Dict:
    """Write report.json / report.md / pictures; return them as a dict."""
    summary = {m: summarise(r, head) for m, r in results.items()}
    pictures = _pictures(work_dir, model, results, scans, names)
    report = dict(
        summary,
        margin_miou=summary['dos']['miou'] - summary['random']['miou'],
        head_classes=list(head),
        tail_classes=[n for n in names if n not in head],
        timings={
            k: round(v, 1)
            for k, v in timings.items()
        },
        settings=settings,
        pictures=pictures)
    with open(osp.join(work_dir, 'report.json'), 'w') as f:
        json.dump(report, f, indent=2, default=str)
    table = markdown_table(summary, names)
    md = [
        '# dos_mm demo report', '',
        'Linear probe (one linear layer on frozen features) of the DOS '
        'teacher backbone against the same probe on a randomly initialised '
        f'backbone; {settings.get("labelled")} labelled scans, '
        f'{len(scans)} held-out scans; IoU in percent over the points '
        'inside the voxel range.', '', table, '',
        f'DOS - random: **{report["margin_miou"]:+.1f} mIoU**. Timings (s): '
        f'{report["timings"]}. {pictures["prototypes_in_use"]} of '
        f'{pictures["num_prototypes"]} prototypes win some cell.', '',
        f'![usage]({pictures["usage"]})', '',
        f'![softmaps]({pictures["softmaps"]})', '',
        f'![predictions]({pictures["predictions"]})', ''
    ]
    with open(osp.join(work_dir, 'report.md'), 'w') as f:
        f.write('\n'.join(md))
    return dict(report, table=table)
