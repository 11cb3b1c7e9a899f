"""Write mmengine checkpoints atomically on local disks.

mmengine 0.10.7 serialises a checkpoint in memory and then writes the bytes
straight to ``iter_N.pth``; a kill or a full disk during that write leaves a
truncated file under the final name. Local paths are now written to a
temporary file in the same folder and renamed into place (``os.replace`` is
atomic on POSIX), so a checkpoint file either is complete or does not exist.
Other backends (``s3://`` ...) keep mmengine's behaviour.
"""
from dos_mm.utils.atomic_write import atomic_path

_ORIGINAL = {}


def _atomic_save_checkpoint(checkpoint, filename, *args, **kwargs):
    original = _ORIGINAL['save_checkpoint']
    if '://' in str(filename):
        return original(checkpoint, filename, *args, **kwargs)
    with atomic_path(filename, hidden=True) as tmp:
        original(checkpoint, tmp, *args, **kwargs)


def patch_atomic_checkpoint() -> bool:
    """Route mmengine's ``save_checkpoint`` (also as bound in the runner
    module) through :func:`_atomic_save_checkpoint`."""
    from mmengine.runner import checkpoint, runner
    if 'save_checkpoint' not in _ORIGINAL:
        _ORIGINAL['save_checkpoint'] = checkpoint.save_checkpoint
    checkpoint.save_checkpoint = _atomic_save_checkpoint
    runner.save_checkpoint = _atomic_save_checkpoint
    return True
