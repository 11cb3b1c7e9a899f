"""The CUDA path in one command: ``make cuda-smoke`` (the device parity
tests, tests/test_device, then this).

    python tools/cuda_smoke.py [--out work_dirs/cuda_smoke] [--skip NAME ...]

The rows: ``dos_mm/experiments/cuda_smoke.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.cuda_smoke import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
