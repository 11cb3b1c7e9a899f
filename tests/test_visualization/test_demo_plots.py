"""The demo's and the probe curve's plots."""
from matplotlib.figure import Figure

from dos_mm.visualization import plot_probe_curve


def test_seeds_of_a_row_share_its_colour(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(Figure, 'savefig',
                        lambda self, *args, **kwargs: saved.append(self))
    curve = {'step': [0, 10], 'probe/miou': [10.0, 20.0]}
    plot_probe_curve({
        'dos': curve,
        'softmaps': curve,
        'dos@1': curve
    },
                     str(tmp_path / 'curve.png'),
                     floor={'probe/miou': 10.0})
    lines = {line.get_label(): line for line in saved[0].axes[0].get_lines()}
    assert lines['dos'].get_color() == lines['dos@1'].get_color()
    assert lines['dos'].get_color() != lines['softmaps'].get_color()
    assert lines['dos'].get_linestyle() != lines['dos@1'].get_linestyle()
    assert 'random initialisation' in lines
    # the panel of a value no run logged has no line and no legend
    assert not saved[0].axes[1].get_lines()
    assert saved[0].axes[1].get_legend() is None
