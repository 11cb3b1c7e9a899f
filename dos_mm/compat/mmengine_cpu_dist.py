"""Let mmengine 0.10.7 launch DDP (gloo) on CPU-only torch.

Two things in mmengine 0.10.7 assume CUDA when launched with ``pytorch``:

* ``mmengine.dist.utils._init_dist_pytorch`` calls
  ``torch.cuda.set_device(local_rank)`` before ``init_process_group``, which
  raises on a CPU-only torch build;
* ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to
  ``DistributedDataParallel``, which DDP rejects for CPU modules.

The first is patched here (CPU-only torch only); the second is a config
setting applied by :func:`dos_mm.utils.setup_launch`
(``model_wrapper_cfg.device_ids=None``).
"""
import torch


def _init_dist_pytorch_cpu(backend: str,
                           init_backend: str = 'torch',
                           **kwargs) -> None:
    """mmengine's ``_init_dist_pytorch`` without ``torch.cuda.set_device``
    (rank and world size come from torchrun's environment)."""
    if init_backend != 'torch':
        raise ValueError(f'init_backend={init_backend!r} needs CUDA; on CPU '
                         "use init_backend='torch'")
    torch.distributed.init_process_group(backend=backend, **kwargs)


def patch_mmengine_cpu_dist(force: bool = False) -> bool:
    """Install the CPU variant of ``_init_dist_pytorch`` on CPU-only torch.

    Returns:
        bool: Whether the patch was applied.
    """
    if torch.cuda.is_available() and not force:
        return False
    from mmengine.dist import utils
    utils._init_dist_pytorch = _init_dist_pytorch_cpu
    return True
