"""The experiments of dos_mm: the protocols behind its benchmarks and demo.

``import dos_mm`` does not import this package and it registers nothing:
it uses the library (models, datasets, apis, evaluation), never the other
way round, and nothing in it reaches into ``tools/``, whose scripts are its
command lines. Modules:

- ``runs``: rows x seeds, each run in a fresh process, a resumable results
  file, merge with its checks, paired differences, the shared options.
- ``statistics``: the Student-t interval of paired differences.
- ``ssl_rows``, ``ssl_benchmark``, ``ssl_tables``: linear probe and
  fine-tuning of pretrained encoders on synthetic LiDAR
  (``tools/benchmark_ssl.py``); ``probe_protocol`` and ``supervised``, its
  data and scoring and its supervised reference.
- ``detection_protocol``, ``detection_benchmark``, ``detection_tables``:
  CenterPoint transfer (``tools/benchmark_det.py``).
- ``demo``, ``demo_report``: ``make demo`` (``tools/demo.py``).
- ``speed``, ``speed_report``, ``speed_benchmark``: step time and memory
  (``tools/benchmark_speed.py``); ``spconv_cpu_benchmark``
  (``tools/benchmark_spconv_cpu.py``); ``level_gradients``
  (``tools/dos_level_gradients.py``).
- ``cuda_smoke``: the GPU rows beyond ``tests/test_device``
  (``tools/cuda_smoke.py``).
"""
