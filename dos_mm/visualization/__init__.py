from .demo_plots import (plot_detections, plot_predictions, plot_probe_curve,
                         plot_prototype_map, plot_softmaps, plot_usage_vs_zipf)

__all__ = [
    'plot_detections', 'plot_predictions', 'plot_probe_curve',
    'plot_prototype_map', 'plot_softmaps', 'plot_usage_vs_zipf'
]
