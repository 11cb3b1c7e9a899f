import math

import pytest
import torch

from dos_mm.functional import (segment_log_softmax, segment_logsumexp,
                               segment_sum)

NEG_INF = float('-inf')


def _random_case(seed: int = 0, num_rows: int = 50, num_cols: int = 7):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(num_rows, num_cols, generator=gen) * 5  # (N, K)
    # 6 segments, segment 4 left empty on purpose.
    seg = torch.randint(0, 4, (num_rows, ), generator=gen)
    seg[seg == 3] = 5
    return x, seg, 6


def _oracle_logsumexp(x, seg, num_segments):
    """float64 loops: log sum_{i in s} exp(x_ik)."""
    x = x.double()
    out = torch.full((num_segments, x.shape[1]), NEG_INF, dtype=torch.float64)
    for s in range(num_segments):
        for k in range(x.shape[1]):
            vals = [x[i, k].item() for i in range(x.shape[0]) if seg[i] == s]
            if vals:
                top = max(vals)
                out[s,
                    k] = top + math.log(sum(math.exp(v - top) for v in vals))
    return out


def test_logsumexp_golden():
    x = torch.tensor([[0., 1.], [0., 2.], [5., 3.]])
    seg = torch.tensor([0, 0, 1])
    out = segment_logsumexp(x, seg, 3)
    expected = torch.tensor([[0.6931471805599453, 2.3132616875182228],
                             [5.0, 3.0], [NEG_INF, NEG_INF]])
    assert out.shape == (3, 2)
    torch.testing.assert_close(out, expected)


def test_log_softmax_golden():
    x = torch.tensor([[0., 1.], [0., 2.], [5., 3.]])
    seg = torch.tensor([0, 0, 1])
    out = segment_log_softmax(x, seg, 2)
    expected = torch.tensor([[-0.6931471805599453, -1.3132616875182228],
                             [-0.6931471805599453, -0.3132616875182228],
                             [0.0, 0.0]])
    torch.testing.assert_close(out, expected)


def test_segment_sum_golden():
    x = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])
    out = segment_sum(x, torch.tensor([1, 1, 0]), 3)
    torch.testing.assert_close(out, torch.tensor([[5., 6.], [4., 6.], [0.,
                                                                       0.]]))


def test_logsumexp_matches_float64_oracle():
    x, seg, num_segments = _random_case()
    out = segment_logsumexp(x, seg, num_segments)
    expected = _oracle_logsumexp(x, seg, num_segments)
    assert torch.isneginf(out[4]).all() and torch.isneginf(out[3]).all()
    torch.testing.assert_close(out.double(), expected, rtol=1e-6, atol=1e-5)


def test_log_softmax_matches_float64_oracle():
    x, seg, num_segments = _random_case(seed=1)
    out = segment_log_softmax(x, seg, num_segments)
    lse = _oracle_logsumexp(x, seg, num_segments)
    expected = torch.empty_like(x, dtype=torch.float64)
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            expected[i, k] = x[i, k].double() - lse[seg[i], k]
    torch.testing.assert_close(out.double(), expected, rtol=1e-6, atol=1e-5)


def test_log_softmax_columns_sum_to_one_per_segment():
    x, seg, num_segments = _random_case(seed=2)
    probs = segment_log_softmax(x, seg, num_segments).exp()
    sums = segment_sum(probs, seg, num_segments)  # (S, K)
    present = torch.bincount(seg, minlength=num_segments) > 0
    torch.testing.assert_close(sums[present], torch.ones_like(sums[present]))
    assert (sums[~present] == 0).all()


def test_stable_for_huge_values_and_shift_invariant():
    x, seg, num_segments = _random_case(seed=3)
    big = x * 1000.0  # exp would overflow float32 without the max shift
    out = segment_log_softmax(big, seg, num_segments)
    assert torch.isfinite(out).all()
    # Adding a constant per (segment, column) does not change the softmax.
    shift = torch.randn(num_segments, x.shape[1]) * 100
    shifted = segment_log_softmax(x + shift[seg], seg, num_segments)
    torch.testing.assert_close(
        shifted, segment_log_softmax(x, seg, num_segments), atol=1e-4, rtol=0)


def test_neg_inf_entries_and_empty_input():
    x = torch.tensor([[NEG_INF, 0.], [NEG_INF, 0.], [1., NEG_INF]])
    seg = torch.tensor([0, 0, 1])
    out = segment_logsumexp(x, seg, 2)
    torch.testing.assert_close(
        out, torch.tensor([[NEG_INF, math.log(2.)], [1., NEG_INF]]))
    empty = segment_logsumexp(torch.zeros(0, 3), torch.zeros(0).long(), 2)
    assert empty.shape == (2, 3) and torch.isneginf(empty).all()


def test_gradient_matches_per_segment_logsumexp():
    x, seg, num_segments = _random_case(seed=4, num_rows=20, num_cols=3)
    x = x.double().requires_grad_(True)
    weights = torch.randn(num_segments, 3, dtype=torch.float64)
    out = segment_logsumexp(x, seg, num_segments)
    present = torch.bincount(seg, minlength=num_segments) > 0
    (out[present] * weights[present]).sum().backward()
    grad = x.grad.clone()
    x.grad = None
    ref = sum((torch.logsumexp(x[seg == s], dim=0) * weights[s]).sum()
              for s in range(num_segments) if present[s])
    ref.backward()
    assert torch.isfinite(grad).all()
    torch.testing.assert_close(grad, x.grad)


@pytest.mark.parametrize('x, seg, num_segments, match', [
    (torch.zeros(4), torch.zeros(4).long(), 1, 'must be 2-D'),
    (torch.zeros(4, 2), torch.zeros(3).long(), 1, r'shape \(4,\)'),
    (torch.zeros(4, 2), torch.zeros(4), 1, 'int64/int32'),
    (torch.zeros(4, 2), torch.tensor([0, 1, 2, 3]), 3, r'\[0, 3\)'),
    (torch.zeros(4, 2), torch.tensor([0, -1, 0, 0]), 3, 'min -1'),
    (torch.zeros(4, 2), torch.zeros(4).long(), 0, 'num_segments'),
])
def test_invalid_inputs(x, seg, num_segments, match):
    with pytest.raises(ValueError, match=match):
        segment_logsumexp(x, seg, num_segments)
    with pytest.raises(ValueError, match=match):
        segment_log_softmax(x, seg, num_segments)
