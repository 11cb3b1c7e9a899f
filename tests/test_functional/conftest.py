"""Shared inputs of the functional tests."""
import pytest
import torch


def logits_case(seed=0, num_rows=40, num_cols=6, num_segments=4):
    """(teacher logits, student logits, scene ids, number of scenes) of
    ``num_rows`` rows over ``num_cols`` prototypes; every scene has rows."""
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(num_rows, num_cols, generator=gen) / 0.3
    student = torch.randn(num_rows, num_cols, generator=gen) / 0.5
    seg = torch.randint(0, num_segments, (num_rows, ), generator=gen)
    seg[:4] = torch.arange(4) % num_segments
    return teacher, student, seg, num_segments


@pytest.fixture
def case():
    """:func:`logits_case`, called as ``case(seed=...)``."""
    return logits_case
