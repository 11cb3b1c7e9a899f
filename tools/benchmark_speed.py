"""Speed and memory of DOS pretraining, measured side by side in one run.

    python tools/benchmark_speed.py [--quick] [--out work_dirs/speed.json]

What it measures: ``dos_mm/experiments/speed_benchmark.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.speed_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
