"""Pictures of the demo report.

matplotlib's object API (``Figure``, no pyplot): nothing is imported until
a picture is drawn, and the backend of the user's process is left alone.
"""
from typing import Dict, Optional, Sequence

import numpy as np

from dos_mm.functional import zipf_prior


def _figure(*args, **kwargs):
    """``(figure, axes)`` of a new headless matplotlib figure."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=kwargs.pop('figsize'))
    return fig, fig.subplots(*args, **kwargs)


def _colormap(name: str, count: int):
    import matplotlib
    return matplotlib.colormaps[name].resampled(count)


def plot_usage_vs_zipf(counts: np.ndarray, alpha: float, path: str) -> None:
    """Rank-frequency of prototype usage (argmax counts) against the Zipf
    prior, log-log."""
    freq = np.sort(counts[counts > 0])[::-1] / max(counts.sum(), 1)
    ranks = np.arange(1, len(freq) + 1)
    prior = zipf_prior(len(counts), alpha).numpy()
    fig, ax = _figure(figsize=(5, 4))
    ax.loglog(ranks, freq, '.', label='teacher usage (argmax share)')
    ax.loglog(
        np.arange(1,
                  len(prior) + 1),
        prior,
        '-',
        label=f'Zipf prior, alpha={alpha}')
    ax.set_xlabel('prototype rank')
    ax.set_ylabel('share of cells')
    ax.set_title(f'{len(freq)} of {len(counts)} prototypes in use')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_softmaps(xy: np.ndarray, softmaps: np.ndarray, protos: Sequence[int],
                  path: str) -> None:
    """Bird's-eye view of a scan coloured by the softmaps (each prototype's
    distribution over the points) of a few prototypes."""
    fig, axes = _figure(1, len(protos), figsize=(4 * len(protos), 4))
    for ax, k in zip(np.atleast_1d(axes), protos):
        w = softmaps[:, k] / softmaps[:, k].max()
        order = np.argsort(w)
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            c=w[order],
            s=0.3,
            cmap='viridis',
            vmin=0,
            vmax=1)
        ax.set_title(f'prototype {k}')
        ax.set_aspect('equal')
        ax.axis('off')
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _class_panel(ax, xy: np.ndarray, labels: np.ndarray, cmap,
                 num_classes: int, title: str) -> None:
    """A bird's-eye view of points coloured by class (labels < 0 left
    out)."""
    ok = labels >= 0
    ax.scatter(
        xy[ok, 0],
        xy[ok, 1],
        c=labels[ok],
        s=0.3,
        cmap=cmap,
        vmin=-0.5,
        vmax=num_classes - 0.5)
    ax.set_title(title)
    ax.set_aspect('equal')
    ax.axis('off')


def plot_predictions(xy: np.ndarray, panels: Dict[str, np.ndarray],
                     class_names: Sequence[str], path: str) -> None:
    """Bird's-eye views of labels: ground truth and each model's probe."""
    cmap = _colormap('gist_ncar', len(class_names))
    fig, axes = _figure(1, len(panels), figsize=(5 * len(panels), 5))
    for ax, (title, labels) in zip(np.atleast_1d(axes), panels.items()):
        _class_panel(ax, xy, labels, cmap, len(class_names), title)
    from matplotlib.lines import Line2D
    handles = [
        Line2D([], [], marker='o', ls='', color=cmap(i), label=name)
        for i, name in enumerate(class_names)
    ]
    fig.legend(handles=handles, loc='lower center', ncol=6, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)


def _box_corners(boxes: np.ndarray) -> np.ndarray:
    """(N, 7) LiDAR boxes -> (N, 5, 2) closed BEV outlines."""
    x, y, length, width, yaw = (boxes[:, i] for i in (0, 1, 3, 4, 6))
    local = np.array([[0.5, 0.5], [0.5, -0.5], [-0.5, -0.5], [-0.5, 0.5],
                      [0.5, 0.5]])  # (5, 2)
    dx = local[None, :, 0] * length[:, None]
    dy = local[None, :, 1] * width[:, None]
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    return np.stack(
        [x[:, None] + c * dx - s * dy, y[:, None] + s * dx + c * dy], -1)


def plot_detections(xy: np.ndarray,
                    gt_boxes: np.ndarray,
                    arms: Dict[str, np.ndarray],
                    path: str,
                    extent: float = 51.2) -> None:
    """Bird's-eye view of a scan's points with the ground-truth boxes and
    each arm's predicted boxes, one panel per arm."""
    colours = ('tab:red', 'tab:blue', 'tab:purple', 'tab:orange')
    fig, axes = _figure(1, len(arms), figsize=(6 * len(arms), 6))
    for ax, (title,
             boxes), colour in zip(np.atleast_1d(axes), arms.items(), colours):
        ax.scatter(xy[:, 0], xy[:, 1], s=0.2, c='0.6')
        for outline in _box_corners(gt_boxes):
            ax.plot(outline[:, 0], outline[:, 1], c='tab:green', lw=1.2)
        for outline in _box_corners(boxes):
            ax.plot(outline[:, 0], outline[:, 1], c=colour, lw=0.9)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_title(f'{title} (green: ground truth)')
        ax.set_aspect('equal')
        ax.axis('off')
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_probe_curve(curves: Dict[str, Dict[str, Sequence[float]]],
                     path: str,
                     floor: Optional[Dict[str, float]] = None) -> None:
    """The online probe over pretraining: one panel per value (linear probe
    mIoU, prototype mIoU), one line per run; runs named ``ROW@SEED`` (seeds
    of one row) share their row's colour, with a marker and dash per seed.

    Args:
        curves: run name -> ``{'step': [...], value name: [...]}``.
        path: the PNG to write.
        floor: value name -> the random initialisation's level (a dashed
            line), where measured.
    """
    values = ('probe/miou', 'probe/proto_many_to_one_miou')
    titles = ('linear probe mIoU (%)', 'prototypes, many-to-one mIoU (%)')
    rows = list(dict.fromkeys(name.partition('@')[0] for name in curves))
    styles, seen = {}, {}
    for name in curves:
        row = name.partition('@')[0]
        k = seen[row] = seen.get(row, -1) + 1
        styles[name] = dict(
            color=f'C{rows.index(row) % 10}',
            marker='os^vD'[k % 5],
            ls=('-', ':', '-.')[k % 3])
    fig, axes = _figure(1, len(values), figsize=(5 * len(values), 4))
    for ax, key, title in zip(np.atleast_1d(axes), values, titles):
        for name, curve in curves.items():
            if key in curve:
                ax.plot(curve['step'], curve[key], label=name, **styles[name])
        if floor and key in floor:
            ax.axhline(
                floor[key],
                ls='--',
                color='grey',
                label='random initialisation')
        ax.set_xlabel('pretraining iteration')
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_prototype_map(xy: np.ndarray, labels: np.ndarray,
                       prototypes: np.ndarray, class_names: Sequence[str],
                       path: str) -> None:
    """Bird's-eye view of a scan: its ground-truth classes beside each
    point's top prototype (one colour per prototype, a qualitative map
    repeated every 20 prototypes)."""
    fig, axes = _figure(1, 2, figsize=(10, 5))
    _class_panel(axes[0], xy, labels, _colormap('gist_ncar', len(class_names)),
                 len(class_names), 'ground truth')
    _class_panel(
        axes[1], xy, prototypes % 20, _colormap('tab20', 20), 20,
        f'top prototype ({len(np.unique(prototypes))} in use; colours '
        'repeat every 20)')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
