import pytest
import torch

from dos_mm.models.utils.cross_view_match import match_nearest


def _oracle(query_xyz, query_scan, ref_xyz, ref_scan, radius):
    """Brute force in float64: nearest same-scan reference and distance."""
    q, r = query_xyz.double(), ref_xyz.double()
    dist = ((q[:, None] - r[None])**2).sum(-1).sqrt()  # (M, R)
    dist[query_scan[:, None] != ref_scan[None]] = float('inf')
    best, arg = dist.min(1)
    return arg, best <= radius, best, dist


def _case(seed=0, num_query=300, num_ref=400, num_scans=3, offset=0.0):
    gen = torch.Generator().manual_seed(seed)
    ref = torch.rand(num_ref, 3, generator=gen, dtype=torch.float64) * 4
    ref_scan = torch.randint(0, num_scans, (num_ref, ), generator=gen)
    pick = torch.randint(0, num_ref, (num_query, ), generator=gen)
    noise = torch.randn(num_query, 3, generator=gen, dtype=torch.float64)
    query = ref[pick] + noise * 0.05
    query_scan = ref_scan[pick].clone()
    # some queries in a scan of their own, some far from everything
    query_scan[:10] = num_scans
    query[10:20] += 50.0
    return query + offset, query_scan, ref + offset, ref_scan


def _check(index, matched, query, query_scan, ref, ref_scan, radius):
    arg, ok, best, dist = _oracle(query, query_scan, ref, ref_scan, radius)
    assert index.dtype == torch.long and matched.dtype == torch.bool
    # borderline distances (within float32 error of radius) may go either
    # way; everything else must agree with the oracle
    clear = (best - radius).abs() > 1e-5
    assert torch.equal(matched[clear], ok[clear])
    assert (index[~matched] == 0).all()
    rows = torch.nonzero(matched).squeeze(1)
    assert (ref_scan[index[rows]] == query_scan[rows]).all()
    chosen = dist[rows, index[rows]]
    torch.testing.assert_close(chosen, best[rows], atol=1e-5, rtol=0)
    assert chosen.max() <= radius + 1e-5
    return arg, ok


@pytest.mark.parametrize('radius', [0.03, 0.1, 10.0])
def test_matches_brute_force(radius):
    query, query_scan, ref, ref_scan = _case()
    index, matched = match_nearest(query, query_scan, ref, ref_scan, radius)
    arg, ok = _check(index, matched, query, query_scan, ref, ref_scan, radius)
    assert 0 < int(matched.sum()) < len(query)
    assert not matched[:20].any()  # own scan / far away: never matched


def test_far_from_origin():
    """Large coordinates (tens of metres) keep exact distances: cells
    0.1 m apart must not be confused."""
    gen = torch.Generator().manual_seed(1)
    axes = [torch.arange(n, dtype=torch.float64) for n in (20, 20, 10)]
    grid = torch.stack(torch.meshgrid(*axes, indexing='ij'), -1)
    ref = grid.reshape(-1, 3) * 0.1 + 0.05
    query = torch.rand(1000, 3, generator=gen, dtype=torch.float64)
    query = query * query.new_tensor([2.0, 2.0, 1.0])
    origin = ref.new_tensor([40.0, -30.0, 1.0])
    ref_scan = torch.zeros(len(ref), dtype=torch.long)
    query_scan = torch.zeros(len(query), dtype=torch.long)
    index, matched = match_nearest(query + origin, query_scan, ref + origin,
                                   ref_scan, 0.07)
    _check(index, matched, query, query_scan, ref, ref_scan, 0.07)


def test_never_matches_across_scans():
    ref = torch.tensor([[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    ref_scan = torch.tensor([1, 0])
    query = torch.tensor([[0.01, 0.0, 0.0], [0.02, 0.0, 0.0]])
    query_scan = torch.tensor([0, 1])
    index, matched = match_nearest(query, query_scan, ref, ref_scan, 1.0)
    # query 0 sits on ref 0, but that reference belongs to scan 1
    assert matched.tolist() == [False, True]
    assert index.tolist() == [0, 0]
    index, matched = match_nearest(query, query_scan, ref, ref_scan, 6.0)
    assert matched.tolist() == [True, True]
    assert index.tolist() == [1, 0]


@pytest.mark.parametrize('chunk', [1, 7, 64, 100000])
def test_chunking_gives_same_answer(chunk):
    query, query_scan, ref, ref_scan = _case(seed=2)
    full = match_nearest(query, query_scan, ref, ref_scan, 0.1)
    part = match_nearest(query, query_scan, ref, ref_scan, 0.1, chunk=chunk)
    assert torch.equal(full[0], part[0])
    assert torch.equal(full[1], part[1])


def test_empty_inputs():
    query, query_scan, ref, ref_scan = _case(num_query=5)
    index, matched = match_nearest(query, query_scan, ref[:0], ref_scan[:0],
                                   1.0)
    assert index.shape == (5, ) and not matched.any()
    index, matched = match_nearest(query[:0], query_scan[:0], ref, ref_scan,
                                   1.0)
    assert index.shape == (0, ) and matched.shape == (0, )
