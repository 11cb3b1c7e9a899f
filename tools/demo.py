"""The dos_mm demo: pretrain DOS on synthetic LiDAR, linear-probe it, and
fine-tune CenterPoint from it and from scratch.

    python tools/demo.py --work-dir work_dirs/demo     (what `make demo` runs)

What it does: ``dos_mm/experiments/demo.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.demo import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
