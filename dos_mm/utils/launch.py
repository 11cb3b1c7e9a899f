"""Launch settings that depend on the machine, not on the config."""
import os
from typing import Optional

import torch


def setup_launch(cfg, threads: Optional[int] = None) -> None:
    """Adapt a config to the machine it runs on.

    * CPU-only machines use the gloo backend for distributed runs (nccl
      needs CUDA) and wrap the model in DDP without ``device_ids`` (mmengine
      passes ``[LOCAL_RANK]``, which DDP rejects for CPU modules).
    * torch's CPU thread count is set explicitly: all cores for a single
      process, cores / local processes for several (two processes that each
      use every core slow down by an order of magnitude). An
      ``OMP_NUM_THREADS`` in the environment is respected.

    Args:
        cfg (Config): the config to update in place.
        threads (int, optional): CPU threads per process.
    """
    if not torch.cuda.is_available():
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg['backend'] = 'gloo'
        if cfg.get('launcher', 'none') != 'none':
            wrapper = cfg.get('model_wrapper_cfg') or dict(
                type='MMDistributedDataParallel', broadcast_buffers=False)
            wrapper['device_ids'] = None
            cfg.model_wrapper_cfg = wrapper
    if threads is None and os.environ.get('OMP_NUM_THREADS', '').isdigit():
        threads = int(os.environ['OMP_NUM_THREADS'])
    if threads is None:
        local = int(os.environ.get('LOCAL_WORLD_SIZE', '1'))
        threads = max(1, (os.cpu_count() or 1) // local)
    torch.set_num_threads(threads)
