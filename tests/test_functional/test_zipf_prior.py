import math

import pytest
import torch

from dos_mm.functional import rank_marginal, usage_ranks, zipf_prior


def test_zipf_prior_golden():
    # alpha = 1, K = 3: (1, 1/2, 1/3) / (11/6)
    torch.testing.assert_close(
        zipf_prior(3, 1.0, dtype=torch.float64),
        torch.tensor([6 / 11, 3 / 11, 2 / 11], dtype=torch.float64))
    # alpha = 2, K = 2: (1, 1/4) / (5/4)
    torch.testing.assert_close(zipf_prior(2, 2.0), torch.tensor([0.8, 0.2]))
    torch.testing.assert_close(zipf_prior(1, 1.3), torch.tensor([1.0]))


def test_zipf_prior_matches_float64_oracle():
    num, alpha = 1024, 1.3
    raw = [r**(-alpha) for r in range(1, num + 1)]
    total = sum(raw)
    expected = torch.tensor([w / total for w in raw], dtype=torch.float64)
    out = zipf_prior(num, alpha, dtype=torch.float64)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(
        zipf_prior(num, alpha), expected.float(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize('alpha', [0.0, 0.5, 1.3, 1.6, 3.0])
def test_zipf_prior_properties(alpha):
    prior = zipf_prior(512, alpha)
    assert prior.shape == (512, ) and prior.dtype == torch.float32
    assert (prior > 0).all()
    assert abs(prior.double().sum().item() - 1.0) < 1e-6
    assert (prior[1:] <= prior[:-1]).all()
    if alpha == 0.0:
        assert torch.equal(prior, torch.full((512, ), 1 / 512))


@pytest.mark.parametrize('num, alpha, match', [
    (0, 1.0, 'num_prototypes'),
    (-3, 1.0, 'num_prototypes'),
    (4, -0.1, 'alpha'),
    (4, float('nan'), 'alpha'),
    (4, float('inf'), 'alpha'),
])
def test_zipf_prior_invalid(num, alpha, match):
    with pytest.raises(ValueError, match=match):
        zipf_prior(num, alpha)


def test_usage_ranks_golden_with_ties():
    usage = torch.tensor([0.1, 0.5, 0.5, 0.2])
    assert usage_ranks(usage).tolist() == [3, 0, 1, 2]
    assert usage_ranks(torch.tensor([7, 7, 7])).tolist() == [0, 1, 2]


def test_usage_ranks_matches_python_oracle():
    gen = torch.Generator().manual_seed(0)
    usage = torch.randint(0, 20, (300, ), generator=gen).float()  # many ties
    values = usage.tolist()
    order = sorted(range(len(values)), key=lambda k: (-values[k], k))
    expected = [0] * len(values)
    for rank, k in enumerate(order):
        expected[k] = rank
    out = usage_ranks(usage)
    assert out.dtype == torch.int64
    assert out.tolist() == expected
    assert sorted(out.tolist()) == list(range(300))  # a permutation


def test_rank_marginal_golden():
    out = rank_marginal(torch.tensor([0.1, 0.5, 0.2]), 1.0)
    torch.testing.assert_close(out, torch.tensor([2 / 11, 6 / 11, 3 / 11]))


def test_rank_marginal_follows_usage():
    gen = torch.Generator().manual_seed(1)
    usage = torch.rand(64, generator=gen)
    marginal = rank_marginal(usage, 1.3)
    assert abs(marginal.sum().item() - 1.0) < 1e-6
    assert marginal.argmax() == usage.argmax()
    assert marginal.argmin() == usage.argmin()
    # Sorting by usage sorts the marginal the same way.
    order = torch.argsort(usage, descending=True)
    assert (marginal[order][1:] <= marginal[order][:-1]).all()
    oracle = [(1 + sum(u > v for u in usage.tolist()))**-1.3
              for v in usage.tolist()]
    oracle = torch.tensor(oracle, dtype=torch.float64)
    expected = oracle / (torch.arange(1, 65, dtype=torch.float64)**-1.3).sum()
    torch.testing.assert_close(marginal.double(), expected, rtol=1e-6, atol=0)
    assert torch.equal(rank_marginal(usage, 0.0), torch.full((64, ), 1 / 64))
    assert rank_marginal(usage.half(), 1.3).dtype == torch.float32
    assert rank_marginal(usage.double(), 1.3).dtype == torch.float64


@pytest.mark.parametrize('usage, match', [
    (torch.zeros(2, 3), '1-D'),
    (torch.zeros(0), '1-D'),
    (torch.tensor([1.0, math.nan, 2.0]), '1 non-finite'),
])
def test_usage_invalid(usage, match):
    with pytest.raises(ValueError, match=match):
        usage_ranks(usage)


def test_rank_agreement_is_spearman():
    from dos_mm.functional import rank_agreement
    a = torch.tensor([0.5, 0.3, 0.15, 0.05])
    assert float(rank_agreement(a, a * 2)) == pytest.approx(1.0)
    assert float(rank_agreement(a, a.flip(0))) == pytest.approx(-1.0)
    b = torch.tensor([0.3, 0.5, 0.15, 0.05])  # top two swapped
    # 1 - 6 * sum d^2 / (n (n^2 - 1)) = 1 - 6 * 2 / 60
    assert float(rank_agreement(a, b)) == pytest.approx(0.8)
    with pytest.raises(ValueError, match='cannot be compared'):
        rank_agreement(a, a[:3])
