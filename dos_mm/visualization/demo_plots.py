"""Pictures of the demo report (matplotlib, headless)."""
from typing import Dict, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from dos_mm.functional import zipf_prior  # noqa: E402


def plot_usage_vs_zipf(counts: np.ndarray, alpha: float, path: str) -> None:
    """Rank-frequency of prototype usage (argmax counts) against the Zipf
    prior, log-log."""
    freq = np.sort(counts[counts > 0])[::-1] / max(counts.sum(), 1)
    ranks = np.arange(1, len(freq) + 1)
    prior = zipf_prior(len(counts), alpha).numpy()
    fig, ax = plt.subplots(figsize=(5, 4))
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
    plt.close(fig)


def plot_softmaps(xy: np.ndarray, softmaps: np.ndarray, protos: Sequence[int],
                  path: str) -> None:
    """Bird's-eye view of a scan coloured by the softmaps (each prototype's
    distribution over the points) of a few prototypes."""
    fig, axes = plt.subplots(1, len(protos), figsize=(4 * len(protos), 4))
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
    plt.close(fig)


def plot_predictions(xy: np.ndarray, panels: Dict[str, np.ndarray],
                     class_names: Sequence[str], path: str) -> None:
    """Bird's-eye views of labels: ground truth and each model's probe."""
    cmap = plt.get_cmap('tab20', len(class_names))
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 5))
    for ax, (title, labels) in zip(np.atleast_1d(axes), panels.items()):
        ok = labels >= 0
        ax.scatter(
            xy[ok, 0],
            xy[ok, 1],
            c=labels[ok],
            s=0.3,
            cmap=cmap,
            vmin=-0.5,
            vmax=len(class_names) - 0.5)
        ax.set_title(title)
        ax.set_aspect('equal')
        ax.axis('off')
    handles = [
        plt.Line2D([], [], marker='o', ls='', color=cmap(i), label=name)
        for i, name in enumerate(class_names)
    ]
    fig.legend(handles=handles, loc='lower center', ncol=6, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
