"""Count the operations that read device data back to the host.

On CUDA each of them is a host-device synchronisation: the CPU waits for
the GPU's queue to drain before it can go on. ``torch.cuda`` can warn about
them (``torch.cuda.set_sync_debug_mode``), but only on a GPU; this counter
sees the same operations at torch's dispatch level on any device, so a test
on a CPU machine can hold a training step to a budget.

What it counts: reading a scalar (``.item()``, ``int()``, ``bool()``,
``if tensor:``), and the operations whose output size depends on the data
(``nonzero``, boolean-mask indexing, ``masked_select``, ``unique``,
``bincount``, ``repeat_interleave`` without ``output_size``). On CPU it also
counts reads of tensors that would live on the host on a GPU machine too
(for example the optimizer's step counters), so a CPU count is an upper
bound of the CUDA one.
"""
import collections
import traceback
from typing import Counter, Optional

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_ALWAYS = frozenset({
    'aten._local_scalar_dense.default',
    'aten.nonzero.default',
    'aten.masked_select.default',
    'aten._unique2.default',
    'aten.unique_dim.default',
    'aten.unique_consecutive.default',
    'aten.bincount.default',
    'aten.is_nonzero.default',
    'aten.equal.default',
})


def _is_sync(func, args, kwargs) -> bool:
    name = str(func)
    if name in _ALWAYS:
        return True
    if name in ('aten.index.Tensor', 'aten.index_put_.default',
                'aten.index_put.default'):
        return any(
            isinstance(i, torch.Tensor) and i.dtype == torch.bool
            for i in args[1] if i is not None)
    if name == 'aten.repeat_interleave.Tensor':
        return (kwargs or {}).get('output_size') is None
    return False


class SyncCounter(TorchDispatchMode):
    """A context manager that counts host reads of device data.

    Attributes:
        total (int): host reads seen.
        by_op (Counter): per aten operation.
        by_site (Counter): per ``file:line`` of the innermost frame in
            ``package`` (the code to blame), when ``package`` is given.
    """

    def __init__(self, package: Optional[str] = 'dos_mm') -> None:
        super().__init__()
        self.package = package
        self.total = 0
        self.by_op: Counter[str] = collections.Counter()
        self.by_site: Counter[str] = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if _is_sync(func, args, kwargs):
            self.total += 1
            self.by_op[str(func)] += 1
            if self.package:
                self.by_site[self._site()] += 1
        return func(*args, **(kwargs or {}))

    def _site(self) -> str:
        mark = f'/{self.package}/'
        for frame in reversed(traceback.extract_stack()):
            if mark in frame.filename and not frame.filename.endswith(
                    'sync_count.py'):
                return (f'{frame.filename.split(mark)[-1]}:{frame.lineno}')
        return 'outside'
