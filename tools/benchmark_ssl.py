"""The SSL benchmark on synthetic LiDAR: linear-probe mIoU over seeds.

    python tools/benchmark_ssl.py --seeds 0 1 2 --iters 400 \
        --out work_dirs/benchmark_ssl
    python tools/benchmark_ssl.py --merge work_dirs/a work_dirs/b \
        --out work_dirs/benchmark_ssl

The rows, the protocol and the tables: ``dos_mm/experiments/ssl_benchmark.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.ssl_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
