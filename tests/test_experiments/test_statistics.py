"""Paired intervals and the seeds a benchmark needs."""
import pytest

from dos_mm.experiments.statistics import paired_interval, seeds_to_resolve


def test_paired_interval_by_hand():
    # mean 2, sd 1 over 3 pairs: half-width t(0.975, 2) / sqrt(3)
    d = paired_interval([1.0, 2.0, 3.0])
    assert d['mean'] == 2.0 and d['n'] == 3
    assert d['high'] - d['mean'] == pytest.approx(4.3027 / 3**0.5, abs=1e-3)


def test_seeds_to_resolve_by_hand():
    # t(0.975, n-1) / sqrt(n): n=6 gives 1.049, n=7 gives 0.925 (< 1)
    assert seeds_to_resolve(1.0, 1.0) == 7
    assert seeds_to_resolve(-1.0, 1.0) == 7  # the sign does not matter
    assert seeds_to_resolve(0.5, 1.0) == 18  # 2.110 / sqrt(18) = 0.497
    assert seeds_to_resolve(1.0, 0.0) == 2
    assert seeds_to_resolve(0.0, 1.0) is None
    assert seeds_to_resolve(0.01, 1.0, most=50) is None
    with pytest.raises(ValueError, match='< 0'):
        seeds_to_resolve(1.0, -1.0)
