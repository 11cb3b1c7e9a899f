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


def test_non_finite_logits_give_a_nan_plan_and_keep_the_usage():
    target = ZipfSinkhornTarget(num_prototypes=3, usage_momentum=0.5)
    target(torch.randn(10, 3))
    usage = target.usage.clone()
    bad = torch.randn(10, 3)
    bad[4, 1] = float('inf')
    plan = target(bad)
    assert plan.shape == (10, 3) and torch.isnan(plan).all()
    assert torch.equal(target.usage, usage)


def _nan_worker(rank, port, out_dir):
    import os
    torch.set_num_threads(1)
    torch.distributed.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=2)
    try:
        target = ZipfSinkhornTarget(num_prototypes=4, usage_momentum=0.0)
        good = target(torch.randn(6 + rank, 4))  # both finite: a plan
        logits = torch.randn(5, 4)
        if rank == 1:
            logits[2, 3] = float('nan')  # only rank 1 sees it
        bad = target(logits)
        after = target(torch.randn(3, 4))  # the collectives still line up
        torch.save(
            dict(good=good, bad=bad, after=after),
            os.path.join(out_dir, f'rank{rank}.pth'))
    finally:
        torch.distributed.destroy_process_group()


@pytest.mark.dist
def test_one_rank_with_nan_makes_every_rank_skip_without_hanging():
    import os
    import socket
    import tempfile
    import time

    import torch.multiprocessing as mp
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as out_dir:
        context = mp.spawn(
            _nan_worker, args=(port, out_dir), nprocs=2, join=False)
        deadline = time.time() + 60
        while not context.join(timeout=1):
            if time.time() > deadline:
                for proc in context.processes:
                    proc.kill()
                pytest.fail('a rank hung on the other rank\'s NaN')
        ranks = [
            torch.load(os.path.join(out_dir, f'rank{r}.pth')) for r in range(2)
        ]
    for res in ranks:
        assert torch.isfinite(res['good']).all()
        assert torch.isnan(res['bad']).all()  # both ranks: skip the step
        assert torch.isfinite(res['after']).all()


def tight_rare_toy(seed=0):
    """Logits (tau_T applied) of 200 cells: 190 of class A fit prototype 0
    loosely, 10 of a rare class fit prototype 1 very tightly; 2 prototypes
    more serve nobody in particular."""
    g = torch.Generator().manual_seed(seed)
    common = torch.randn(190, 4, generator=g) * 0.1
    common[:, 0] += 2.0
    rare = torch.randn(10, 4, generator=g) * 0.1
    rare[:, 1] += 12.0
    return torch.cat([common, rare])


def test_assignment_usage_ranks_by_cells_served():
    logits = tight_rare_toy()
    exp_mass = ZipfSinkhornTarget(4, usage_momentum=0.0)
    assigned = ZipfSinkhornTarget(4, usage_momentum=0.0, usage='assignment')
    exp_mass.update_usage(logits)
    assigned.update_usage(logits)
    # the exp mass makes the rare, tight prototype the most used one
    assert int(exp_mass.usage.argmax()) == 1
    # the assignment mass counts cells: the common prototype first, with
    # 190 / 200 cells x softmax e^2 / (e^2 + 3) = 0.67 of the mass
    assert int(assigned.usage.argmax()) == 0
    assert abs(float(assigned.usage[0]) - 0.67) < 0.02
    torch.testing.assert_close(assigned.usage,
                               torch.softmax(logits, 1).mean(0))
    # both measures see the same batch; their ranks disagree at the top
    assert float(assigned.last_rank_agreement) < 1


def test_assignment_usage_ignores_a_per_cell_offset():
    logits = tight_rare_toy()
    shifted = logits + torch.linspace(-5, 5, len(logits))[:, None]
    for usage, invariant in (('assignment', True), ('exp_mass', False)):
        a = ZipfSinkhornTarget(4, usage_momentum=0.0, usage=usage)
        b = ZipfSinkhornTarget(4, usage_momentum=0.0, usage=usage)
        a.update_usage(logits)
        b.update_usage(shifted)
        assert torch.allclose(a.usage, b.usage, atol=1e-6) == invariant


def test_unknown_usage_is_named():
    with pytest.raises(ValueError, match="usage must be one of"):
        ZipfSinkhornTarget(4, usage='column_mass')
