"""SyncCounter sees host reads of device data and nothing else."""
import torch

from dos_mm.utils import SyncCounter


def test_counts_host_reads_and_data_dependent_shapes():
    x = torch.arange(6.)
    with SyncCounter(package=None) as c:
        _ = x * 2 + 1  # elementwise: none
        _ = x[torch.tensor([0, 2])]  # integer index: none
        _ = float(x.sum())  # 1
        _ = x[x > 2]  # boolean mask: 1
        _ = torch.nonzero(x)  # 1
        _ = torch.bincount(x.long())  # 1
        _ = torch.repeat_interleave(torch.tensor([1, 2]))  # 1
        _ = torch.repeat_interleave(torch.tensor([1, 2]), output_size=3)
    assert c.total == 5, c.by_op


def test_blames_the_innermost_package_frame():
    from dos_mm.models.utils.cells import pack_keys
    with SyncCounter() as c:
        pack_keys(torch.zeros(3, 4, dtype=torch.long))
    assert c.total == 1
    (site, ), = [list(c.by_site)]
    assert site.startswith('models/utils/cells.py:')
