"""The experiments of dos_mm: the protocols behind its benchmarks and demo.

``import dos_mm`` does not import this package and it registers nothing:
it uses the library (models, datasets, apis, evaluation), never the other
way round, and nothing in it reaches into ``tools/``, whose scripts are its
command lines. Modules:

- ``runs``: seeds x rows, each run in a fresh process, a resumable results
  file, merge with its checks.
- ``statistics``: paired differences with Student-t intervals.
- ``ssl_benchmark``: linear probe / fine-tune of pretrained encoders on
  synthetic LiDAR (``tools/benchmark_ssl.py``).
- ``detection_protocol``, ``detection_benchmark``: CenterPoint transfer
  (``tools/benchmark_det.py``).
- ``probe_protocol``, ``supervised``: the probe's data and scoring, the
  supervised reference.
- ``demo``, ``demo_report``: ``make demo`` (``tools/demo.py``).
- ``speed``, ``speed_report``: ``tools/benchmark_speed.py``.
"""
