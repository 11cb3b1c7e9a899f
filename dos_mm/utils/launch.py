"""Launch settings that depend on the machine, not on the config."""
import os
from typing import Optional

import torch


def setup_launch(cfg, threads: Optional[int] = None) -> None:
    """Adapt a config to the machine it runs on.

    * CPU-only machines use the gloo backend for distributed runs (nccl
      needs CUDA) and wrap the model in DDP without ``device_ids`` (mmengine
      passes ``[LOCAL_RANK]``, which DDP rejects for CPU modules).
    * CUDA machines: float32 matmuls may use TF32 (``allow_tf32 = True``
      in the config, the default; False keeps full float32), except in the
      float32 islands of targets and loss
      (:func:`dos_mm.functional.precision.float32_island`); the training
      loader pins its batches (``pin_memory``) unless the config says.
    * torch's CPU thread count is set explicitly: all cores for a single
      process, cores / local processes for several (two processes that each
      use every core slow down by an order of magnitude). An
      ``OMP_NUM_THREADS`` in the environment is respected.

    Args:
        cfg (Config): the config to update in place.
        threads (int, optional): CPU threads per process.
    """
    if not torch.cuda.is_available():
        # (Config.setdefault would return a copy of a new value)
        if 'env_cfg' not in cfg:
            cfg.env_cfg = {}
        if 'dist_cfg' not in cfg.env_cfg:
            cfg.env_cfg.dist_cfg = {}
        cfg.env_cfg.dist_cfg['backend'] = 'gloo'
        if cfg.get('launcher', 'none') != 'none':
            wrapper = cfg.get('model_wrapper_cfg') or dict(
                type='MMDistributedDataParallel', broadcast_buffers=False)
            wrapper['device_ids'] = None
            cfg.model_wrapper_cfg = wrapper
    else:
        torch.set_float32_matmul_precision(
            'high' if cfg.get('allow_tf32', True) else 'highest')
        if cfg.get('train_dataloader') is not None and \
                'pin_memory' not in cfg.train_dataloader:
            cfg.train_dataloader.pin_memory = True
    if threads is None and os.environ.get('OMP_NUM_THREADS', '').isdigit():
        threads = int(os.environ['OMP_NUM_THREADS'])
    if threads is None:
        local = int(os.environ.get('LOCAL_WORLD_SIZE', '1'))
        threads = max(1, (os.cpu_count() or 1) // local)
    torch.set_num_threads(threads)


def end_launch() -> None:
    """Close the distributed process group of a finished run, if any.

    Without it each process exits with gloo's worker threads still alive
    and their destructors race with the interpreter's shutdown: a run
    that finished can still die with ``terminate called without an active
    exception`` and a non-zero exit status under ``torchrun``. A barrier
    first, so that no rank closes while another still talks to it. Call
    only after success (a failed rank would leave the others waiting at
    the barrier).
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
