"""Make spconv's backward pass work on CPU-only torch builds.

spconv 2.3 asks torch for the current CUDA stream in its backward kernels
(``spconv.pytorch.cppcore.get_current_stream`` →
``torch.cuda.current_stream()``), which raises on a CPU-only torch even though
the CPU kernels never use a stream. Forward passes do not call it, so the
crash only shows up when training.

The fix returns stream handle 0 (the null stream, ignored by the CPU kernels)
when CUDA is unavailable. Several spconv modules import the function by name,
so each binding is replaced. Nothing is patched when CUDA is available.
"""
import importlib

import torch

# Modules that bind ``get_current_stream`` at import time (spconv 2.3.x).
_BINDINGS = ('spconv.pytorch.cppcore', 'spconv.pytorch.ops',
             'spconv.pytorch.hash')


def _null_stream() -> int:
    """Stream handle for CPU kernels: 0, the null stream."""
    return 0


def patch_spconv_cpu_stream(force: bool = False) -> bool:
    """Replace spconv's ``get_current_stream`` on CPU-only machines.

    Args:
        force (bool): Patch even if CUDA is available (tests only).

    Returns:
        bool: Whether a patch was applied.
    """
    if torch.cuda.is_available() and not force:
        return False
    patched = False
    for name in _BINDINGS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, 'get_current_stream', None) is not None:
            module.get_current_stream = _null_stream
            patched = True
    return patched
