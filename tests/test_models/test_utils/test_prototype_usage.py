"""prototype_usage: entropy, prototypes in use, collapse, Zipf KL."""
import math

import pytest
import torch

from dos_mm.models.utils.prototype_usage import prototype_usage


def test_uniform_usage_has_full_entropy_and_no_collapse():
    stats = prototype_usage(torch.arange(8).repeat(5), 8, 0.0, 0.2)
    assert float(stats['proto_entropy']) == pytest.approx(math.log(8))
    assert float(stats['protos_in_use']) == 8
    assert float(stats['collapsed']) == 0
    # alpha = 0: the prior is uniform, so the ranked usage matches it
    assert float(stats['zipf_kl']) == pytest.approx(0, abs=1e-6)


def test_one_winner_is_a_collapse():
    stats = prototype_usage(torch.full((30, ), 3), 16, 1.3, 0.1)
    assert float(stats['protos_in_use']) == 1
    assert float(stats['collapsed']) == 1
    assert float(stats['proto_entropy']) == 0
    assert float(stats['zipf_kl']) > 0


def test_no_target_cells_is_not_a_collapse():
    stats = prototype_usage(torch.zeros(0, dtype=torch.long), 16, 1.3, 0.1)
    assert float(stats['collapsed']) == 0
    assert float(stats['protos_in_use']) == 0
