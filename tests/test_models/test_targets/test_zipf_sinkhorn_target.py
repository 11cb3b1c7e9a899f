"""ZipfSinkhornTarget: usage-ranked Zipf marginals, EMA usage."""
import pytest
import torch

from dos_mm.functional import zipf_prior
from dos_mm.models.targets import ZipfSinkhornTarget


def test_columns_get_the_zipf_weight_of_their_usage_rank():
    target = ZipfSinkhornTarget(
        num_prototypes=4, alpha=1.3, num_iters=3, usage_momentum=0.0)
    logits = torch.zeros(40, 4)
    logits[:, 2] = 3.0  # prototype 2 most used, then 0, 3, 1
    logits[:, 0] = 2.0
    logits[:, 3] = 1.0
    cols = target(logits).exp().sum(0)
    prior = zipf_prior(4, 1.3)
    assert torch.allclose(cols[[2, 0, 3, 1]], prior, atol=1e-5)


def test_usage_is_an_ema_kept_in_a_buffer():
    target = ZipfSinkhornTarget(num_prototypes=3, usage_momentum=0.5)
    a = torch.tensor([[5.0, 0.0, 0.0]])
    b = torch.tensor([[0.0, 5.0, 0.0]])
    first = target.update_usage(a).clone()
    assert torch.allclose(first, torch.softmax(a[0], 0))
    second = target.update_usage(b)
    assert torch.allclose(second, 0.5 * first + 0.5 * torch.softmax(b[0], 0))
    assert 'usage' in target.state_dict()


def test_invalid_momentum_raises():
    with pytest.raises(ValueError, match='usage_momentum'):
        ZipfSinkhornTarget(num_prototypes=3, usage_momentum=1.0)


def test_a_batch_without_rows_leaves_usage_unchanged():
    target = ZipfSinkhornTarget(num_prototypes=3, usage_momentum=0.5)
    before = target.update_usage(torch.tensor([[5.0, 0.0, 0.0]])).clone()
    after = target.update_usage(torch.zeros(0, 3))
    assert torch.equal(before, after)
    log_q = target(torch.zeros(0, 3))
    assert log_q.shape == (0, 3)
