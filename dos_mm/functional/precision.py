"""The float32 islands of DOS: where targets and loss are computed."""
import contextlib
from typing import Iterator

import torch


@contextlib.contextmanager
def float32_island(device_type: str) -> Iterator[None]:
    """Run the block in true float32, whatever the surrounding precision.

    Autocast is disabled (``--amp`` would run matmuls in bf16 / fp16), and
    float32 matmuls use full precision (``'highest'``) even where training
    allows TF32 (``'high'``, the default on CUDA; TF32 keeps 10 bits of
    mantissa, which the sharp teacher softmax of the targets amplifies).
    The previous matmul
    precision is restored on exit, also after an exception.

    Args:
        device_type (str): ``'cuda'`` or ``'cpu'``, the tensors' device type.
    """
    previous = torch.get_float32_matmul_precision()
    # set only when needed: setting 'highest' over the default also pins
    # backend flags (oneDNN's fp32 precision 'none' -> 'ieee'), so the
    # kernels after the first island would differ from those before it,
    # and a resumed run would not repeat an uninterrupted one
    change = previous != 'highest'
    if change:
        torch.set_float32_matmul_precision('highest')
    try:
        with torch.autocast(device_type, enabled=False):
            yield
    finally:
        if change:
            torch.set_float32_matmul_precision(previous)
