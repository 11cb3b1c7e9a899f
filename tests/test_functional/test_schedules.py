import math

import numpy as np
import pytest

from dos_mm.functional import (cosine_schedule, dos_schedule,
                               dos_schedule_start, linear_warmup)


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


NAMES = ('teacher_temp', 'alpha', 'teacher_momentum', 'block_size',
         'mask_ratio')


def test_schedule_golden_values():
    at = {it: dos_schedule(it, 1000) for it in (0, 25, 50, 100, 500, 1000)}
    assert set(at[0]) == set(NAMES)
    assert at[0]['teacher_temp'] == pytest.approx(0.04)
    assert at[25]['teacher_temp'] == pytest.approx(0.055)
    assert at[50]['teacher_temp'] == pytest.approx(0.07)
    assert at[1000]['teacher_temp'] == pytest.approx(0.07)
    assert at[0]['alpha'] == 0.0
    assert at[50]['alpha'] == pytest.approx(0.65)
    assert at[100]['alpha'] == pytest.approx(1.3)
    assert at[1000]['alpha'] == pytest.approx(1.3)
    assert at[0]['teacher_momentum'] == pytest.approx(0.994)
    assert at[500]['teacher_momentum'] == pytest.approx(0.997)
    assert at[1000]['teacher_momentum'] == pytest.approx(1.0)
    assert at[0]['block_size'] == pytest.approx(0.25)
    assert at[25]['block_size'] == pytest.approx(0.625)
    assert at[50]['block_size'] == pytest.approx(1.0)
    assert at[1000]['block_size'] == pytest.approx(1.0)
    assert at[0]['mask_ratio'] == pytest.approx(0.3)
    assert at[25]['mask_ratio'] == pytest.approx(0.45)
    assert at[50]['mask_ratio'] == pytest.approx(0.6)
    assert at[1000]['mask_ratio'] == pytest.approx(0.6)
    assert all(isinstance(v, float) for v in at[500].values())


def test_schedule_arguments():
    values = dos_schedule(
        0,
        200,
        teacher_temp=(0.05, 0.1),
        alpha=2.0,
        teacher_momentum=(0.99, 0.999),
        block_size=0.4,
        mask_ratio=0.7,
        mask_start_scale=0.5,
        mask_start_ratio=0.2)
    assert values == pytest.approx(
        dict(
            teacher_temp=0.05,
            alpha=0.0,
            teacher_momentum=0.99,
            block_size=0.2,
            mask_ratio=0.2))
    # warm-ups are fractions of max_iters: 20 % of 200 = 40 iterations
    mid = dos_schedule(
        20, 200, teacher_temp_warmup=0.2, alpha_warmup=0.2, mask_warmup=0.2)
    assert mid['teacher_temp'] == pytest.approx(0.055)
    assert mid['alpha'] == pytest.approx(0.65)
    assert mid['mask_ratio'] == pytest.approx(0.45)
    # a start ratio above the final ratio never overshoots it
    assert dos_schedule(0, 100, mask_ratio=0.2)['mask_ratio'] == 0.2
    # no warm-up: final values from the start
    cold = dos_schedule(
        0, 100, teacher_temp_warmup=0, alpha_warmup=0, mask_warmup=0)
    assert cold['teacher_temp'] == 0.07 and cold['alpha'] == 1.3
    assert cold['block_size'] == 1.0 and cold['mask_ratio'] == 0.6


def test_schedule_is_pure_and_resume_exact():
    full = [dos_schedule(it, 300) for it in range(301)]
    # a "resumed" run computes the same values in any order
    for it in (299, 150, 0, 17, 150):
        assert dos_schedule(it, 300) == full[it]
    # monotone ramps
    for name in NAMES:
        series = [v[name] for v in full]
        assert all(b >= a for a, b in zip(series, series[1:])), name


def test_schedule_start_is_iteration_zero_of_any_long_run():
    start = dos_schedule_start(mask_ratio=0.7, alpha_warmup=0.0)
    assert start == dos_schedule(0, 1000, mask_ratio=0.7, alpha_warmup=0.0)
    assert start['alpha'] == 1.3  # no warm-up: the end value from the start
    assert start['mask_ratio'] == 0.3 and start['teacher_temp'] == 0.04
    with pytest.raises(TypeError):
        dos_schedule_start(teacher_tempp=(0.04, 0.07))
