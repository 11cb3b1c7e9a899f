"""The detection benchmark on synthetic LiDAR: calibrate the scratch arm on
val, then CenterPoint from scratch, from DOS (two recipes) and on frozen DOS
and random encoders, over seeds and label fractions, scored on the test
split as paired differences with their 95 % intervals (docs/detection.md).

    # 1. calibration (scratch only, val split): the length and rate then
    #    written into configs/centerpoint/*_synthetic-3d.py
    python tools/benchmark_det.py --calibrate --rates 1e-3 2e-3 4e-3 \
        --cal-iters 1200 --eval-every 200 --out work_dirs/det_calibration
    # 2. the benchmark with the configs' protocol, in parts, then merged
    python tools/benchmark_det.py --seeds 0 1 --out work_dirs/det/p1
    python tools/benchmark_det.py --merge DIR_A DIR_B --out work_dirs/det

Runs already in --out are skipped, so an interrupted benchmark resumes.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm.experiments.detection_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
