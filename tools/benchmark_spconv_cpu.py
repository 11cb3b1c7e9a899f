"""spconv on CPU with several threads: exactness and speed of the fixes.

    python tools/benchmark_spconv_cpu.py [--threads 2] [--repeats 6]

What it measures: ``dos_mm/experiments/spconv_cpu_benchmark.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.spconv_cpu_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
