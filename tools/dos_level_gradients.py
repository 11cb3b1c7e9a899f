"""Which encoder levels the DOS loss trains: the gradient of the DOS loss
on each level of the student backbone, relative to that level's weights.

    python tools/dos_level_gradients.py configs/dos/pretrain_demo.py \
        --data-root data/synthetic_det \
        --checkpoint work_dirs/benchmark_det/seed2/pretrain_seed2/iter_400.pth

What it measures: ``dos_mm/experiments/level_gradients.py``.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.level_gradients import main  # noqa: E402

if __name__ == '__main__':
    main()
