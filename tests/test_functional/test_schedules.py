import math

import numpy as np
import pytest

from dos_mm.functional import cosine_schedule, linear_warmup


def test_cosine_golden():
    assert cosine_schedule(0, 100, 1.0, 0.0) == pytest.approx(1.0)
    assert cosine_schedule(25, 100, 1.0,
                           0.0) == pytest.approx(0.8535533905932737)
    assert cosine_schedule(50, 100, 1.0, 0.0) == pytest.approx(0.5)
    assert cosine_schedule(100, 100, 1.0, 0.0) == pytest.approx(0.0)
    assert cosine_schedule(50, 100, 0.994, 1.0) == pytest.approx(0.997)


def test_cosine_clamps_iteration():
    assert cosine_schedule(-5, 100, 0.04, 0.2) == pytest.approx(0.04)
    assert cosine_schedule(1000, 100, 0.04, 0.2) == pytest.approx(0.2)


def test_cosine_matches_float64_oracle_and_is_monotone():
    max_iters, start, end = 37, 0.994, 1.0
    values = [cosine_schedule(i, max_iters, start, end) for i in range(40)]
    for i, value in enumerate(values):
        t = min(i, max_iters) / max_iters
        expected = np.float64(end) + (start - end) * (1 +
                                                      np.cos(np.pi * t)) / 2
        assert value == pytest.approx(float(expected), abs=1e-12)
    assert all(b >= a for a, b in zip(values, values[1:]))


def test_linear_warmup_golden():
    assert linear_warmup(0, 10, 0.0, 1.0) == pytest.approx(0.0)
    assert linear_warmup(5, 10, 0.0, 1.0) == pytest.approx(0.5)
    assert linear_warmup(10, 10, 0.04, 0.07) == pytest.approx(0.07)
    assert linear_warmup(3, 10, 0.04, 0.07) == pytest.approx(0.049)
    assert linear_warmup(50, 10, 0.04, 0.07) == pytest.approx(0.07)
    assert linear_warmup(-2, 10, 0.04, 0.07) == pytest.approx(0.04)
    assert linear_warmup(0, 0, 0.0, 1.3) == 1.3
    assert linear_warmup(7, 0, 0.0, 1.3) == 1.3


def test_linear_warmup_matches_oracle():
    for i in range(-3, 30):
        t = min(max(i, 0), 20) / 20
        assert linear_warmup(i, 20, 0.3, 1.3) == pytest.approx(
            0.3 * (1 - t) + 1.3 * t, abs=1e-12)


def test_schedules_are_pure_functions():
    # Same inputs give the same value in any call order (exact resume).
    first = [cosine_schedule(i, 10, 2.0, 1.0) for i in (3, 7, 3)]
    assert first[0] == first[2]
    assert math.isfinite(cosine_schedule(1, 1, 0.0, 1.0))


def test_invalid():
    with pytest.raises(ValueError, match='max_iters must be >= 1, got 0'):
        cosine_schedule(0, 0, 1.0, 0.0)
    with pytest.raises(ValueError, match='warmup_iters must be >= 0'):
        linear_warmup(0, -1, 1.0, 0.0)
