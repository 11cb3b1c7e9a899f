import importlib
import math
import os
import socket
import tempfile
import time

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from dos_mm.functional import (global_column_logsumexp, global_count,
                               rank_marginal, uniform_sinkhorn, zipf_prior,
                               zipf_sinkhorn)


def _cos_logits(num_rows, num_cols, tau, seed=0):
    """Random cosine similarities in [-1, 1] divided by a temperature."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(num_rows, num_cols, generator=gen) * 2 - 1) / tau


def _oracle_sinkhorn(logits, marginal, num_iters):
    """Naive float64 exp-space Sinkhorn, rows first then columns."""
    q = np.exp(logits.double().numpy() - logits.double().max().item())
    marginal = marginal.double().numpy()
    num_rows, num_cols = q.shape
    for _ in range(num_iters):
        for i in range(num_rows):
            q[i, :] = q[i, :] / q[i, :].sum() / num_rows
        for k in range(num_cols):
            q[:, k] = q[:, k] / q[:, k].sum() * marginal[k]
    return q


def _swav_sinkhorn(logits, num_iters, rows_first=True):
    """SwAV-style uniform Sinkhorn in float64 (prototypes x samples).

    SwAV normalises the prototypes first; ``rows_first`` swaps the order to
    match zipf_sinkhorn. Returns the plan normalised to total mass 1.
    """
    q = np.exp(logits.double().numpy() - logits.double().max().item()).T
    num_protos, num_samples = q.shape
    q /= q.sum()
    for _ in range(num_iters):
        if rows_first:
            q /= q.sum(axis=0, keepdims=True)
            q /= num_samples
        q /= q.sum(axis=1, keepdims=True)
        q /= num_protos
        if not rows_first:
            q /= q.sum(axis=0, keepdims=True)
            q /= num_samples
    q *= num_samples  # SwAV's output: each sample's row sums to 1
    return q.T / num_samples


def test_golden_two_by_two():
    logits = torch.tensor([[math.log(2.0), 0.0], [0.0, 0.0]])
    q = uniform_sinkhorn(logits, num_iters=1).exp()
    expected = torch.tensor([[2 / 7, 1 / 5], [3 / 14, 3 / 10]])
    torch.testing.assert_close(
        q, torch.tensor([[0.2857142857, 0.2], [0.2142857143, 0.3]]))
    torch.testing.assert_close(q, expected)
    q = zipf_sinkhorn(torch.zeros(2, 2), torch.tensor([0.75, 0.25]), 1)
    torch.testing.assert_close(q.exp(),
                               torch.tensor([[0.375, 0.125], [0.375, 0.125]]))


@pytest.mark.parametrize('num_iters', [1, 3, 10])
def test_matches_float64_oracle(num_iters):
    logits = _cos_logits(60, 10, 0.04, seed=num_iters)
    marginal = rank_marginal(torch.rand(10), 1.3)
    q = zipf_sinkhorn(logits, marginal, num_iters).double().exp().numpy()
    expected = _oracle_sinkhorn(logits, marginal, num_iters)
    np.testing.assert_allclose(q * 60, expected * 60, rtol=1e-4, atol=1e-7)


def test_alpha_zero_equals_swav_uniform_sinkhorn():
    logits = _cos_logits(80, 16, 0.05, seed=3)
    usage = torch.rand(16)
    zipf0 = zipf_sinkhorn(logits, rank_marginal(usage, 0.0), 3)
    uniform = uniform_sinkhorn(logits, 3)
    torch.testing.assert_close(zipf0, uniform)
    expected = _swav_sinkhorn(logits, 3, rows_first=True)
    q = zipf0.double().exp().numpy()
    np.testing.assert_allclose(q / q.sum(), expected, rtol=1e-4, atol=1e-9)
    # Converged, the order of the two normalisations does not matter: the
    # result is the one plan with uniform rows and uniform columns.
    converged = uniform_sinkhorn(logits, 300).double().exp().numpy()
    swav = _swav_sinkhorn(logits, 300, rows_first=False)
    np.testing.assert_allclose(converged, swav, rtol=1e-4, atol=1e-9)


def test_marginals_three_and_many_iterations():
    num_rows, num_cols = 300, 40
    logits = _cos_logits(num_rows, num_cols, 0.1, seed=5)
    marginal = rank_marginal(torch.rand(num_cols), 1.3)
    q = zipf_sinkhorn(logits, marginal, 3).double().exp()
    # Columns are normalised last: exact up to float32 rounding.
    torch.testing.assert_close(
        q.sum(0), marginal.double(), rtol=1e-5, atol=1e-7)
    assert abs(q.sum().item() - 1.0) < 1e-5
    q = zipf_sinkhorn(logits, marginal, 200).double().exp()
    assert (q.sum(1) - 1 / num_rows).abs().max() < 1e-5
    assert (q.sum(1) * num_rows - 1).abs().max() < 1e-4
    assert (q.sum(0) - marginal.double()).abs().max() < 1e-5


def test_column_mass_follows_usage_rank():
    num_cols = 32
    logits = _cos_logits(500, num_cols, 0.1, seed=6)
    usage = torch.randperm(num_cols).float()  # distinct usages
    marginal = rank_marginal(usage, 1.3)
    col_mass = zipf_sinkhorn(logits, marginal, 3).exp().sum(0)
    assert col_mass.argmax() == usage.argmax()
    assert torch.equal(
        torch.argsort(col_mass, descending=True),
        torch.argsort(usage, descending=True))
    prior = zipf_prior(num_cols, 1.3)
    torch.testing.assert_close(
        col_mass.sort(descending=True).values, prior, rtol=1e-5, atol=1e-7)


def test_invariant_to_per_row_constant():
    logits = _cos_logits(100, 20, 0.04, seed=7)
    marginal = rank_marginal(torch.rand(20), 1.3)
    shift = torch.rand(100, 1) * 60 - 30
    torch.testing.assert_close(
        zipf_sinkhorn(logits + shift, marginal),
        zipf_sinkhorn(logits, marginal),
        atol=1e-4,
        rtol=0)


def test_dtype_no_grad_and_input_untouched():
    logits = _cos_logits(30, 8, 0.04).double().requires_grad_(True)
    before = logits.detach().clone()
    log_q = uniform_sinkhorn(logits)
    assert log_q.dtype == torch.float32 and not log_q.requires_grad
    assert torch.equal(logits.detach(), before)
    float_logits = before.float()
    uniform_sinkhorn(float_logits)
    assert torch.equal(float_logits, before.float())
    empty = uniform_sinkhorn(torch.zeros(0, 8))
    assert empty.shape == (0, 8)


def test_overwrite_turns_float32_logits_into_the_plan():
    """``overwrite`` saves the copy: same plan, in the logits' storage."""
    logits = _cos_logits(30, 8, 0.04).float()
    marginal = rank_marginal(torch.rand(8) + 0.1, 1.3)
    expected = zipf_sinkhorn(logits, marginal)
    plan = zipf_sinkhorn(logits, marginal, overwrite=True)
    assert plan.data_ptr() == logits.data_ptr()
    torch.testing.assert_close(plan, expected, rtol=0, atol=0)


def test_scaling_vectors_match_log_space_and_hand_over_when_unsafe(
        monkeypatch):
    """Ordinary temperatures take the scaling-vector path, which gives the
    log-space plan; a temperature float32 cannot exponentiate goes to the
    log-space iterations."""
    zs = importlib.import_module('dos_mm.functional.zipf_sinkhorn')
    marginal = rank_marginal(torch.rand(64), 1.3)
    logits = _cos_logits(500, 64, 0.04, seed=11)
    shifted = logits - logits.amax(1, keepdim=True)
    reference = zs._log_space_iterations(shifted.clone(), 500, marginal.log(),
                                         3)
    with monkeypatch.context() as patch:
        patch.setattr(zs, '_log_space_iterations', None)  # must not be used
        fast = zipf_sinkhorn(logits, marginal, 3)
    torch.testing.assert_close(fast, reference, rtol=0, atol=2e-5)
    cold = _cos_logits(500, 64, 0.005, seed=11)  # logit range 400 nats
    cold = cold - cold.amax(1, keepdim=True)
    assert zs._scaling_vectors(cold, 500, marginal, 3) is None


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_autocast_leaves_the_plan_float32(dtype):
    """Under ``--amp`` (here CPU autocast, which lowers matmul and mv as
    CUDA's does) the plan is the float32 plan, bit for bit: the mat-vecs
    of the scaling-vector path do not run in low precision."""
    logits = _cos_logits(2000, 256, 0.04, seed=12)
    marginal = rank_marginal(torch.rand(256) + 0.1, 1.3)
    plain = zipf_sinkhorn(logits, marginal, 3)
    with torch.autocast('cpu', dtype=dtype):
        cast = zipf_sinkhorn(logits, marginal, 3)
    assert cast.dtype == torch.float32
    assert torch.equal(cast, plain)


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
@pytest.mark.parametrize('tau', [0.04, 0.005])
def test_half_precision_large_scale_is_finite(dtype, tau):
    num_rows, num_cols = 20000, 1024  # N * K = 2e7
    logits = _cos_logits(num_rows, num_cols, tau, seed=8).to(dtype)
    marginal = rank_marginal(torch.rand(num_cols), 1.3)
    log_q = zipf_sinkhorn(logits, marginal, 3)
    assert log_q.dtype == torch.float32
    assert not torch.isnan(log_q).any() and not torch.isinf(log_q).any()
    col_mass = log_q.double().exp().sum(0)
    torch.testing.assert_close(
        col_mass, marginal.double(), rtol=1e-4, atol=1e-8)
    # Rows are only approximately 1/N after 3 iterations, but none of them
    # underflows to zero mass and the plan keeps total mass 1.
    row_mass = torch.logsumexp(log_q, dim=1)
    assert torch.isfinite(row_mass).all()
    assert abs(torch.logsumexp(row_mass, dim=0).item()) < 1e-4


@pytest.mark.parametrize('kwargs, match', [
    (dict(logits=torch.zeros(4)), 'must be 2-D'),
    (dict(logits=torch.zeros(4, 3, dtype=torch.long)), 'floating point'),
    (dict(num_iters=0), 'num_iters must be an integer >= 1, got 0'),
    (dict(col_marginal=torch.full((4, ), 0.25)), r'shape \(3,\)'),
    (dict(col_marginal=torch.tensor([0.5, 0.5, 0.0])), 'got min 0.0'),
    (dict(col_marginal=torch.tensor([0.5, 0.6, -0.1])), 'got min -0.1'),
    (dict(col_marginal=torch.tensor([0.3, 0.3, 0.3])), 'got 0.9'),
    (dict(logits=torch.tensor([[0., math.nan, 1.], [math.inf, 0., 0.]])),
     'logits contain 2 non-finite values'),
])
def test_invalid_inputs(kwargs, match):
    args = dict(
        logits=torch.zeros(4, 3),
        col_marginal=torch.full((3, ), 1 / 3),
        num_iters=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        zipf_sinkhorn(**args)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _dist_worker(rank, world_size, port, scenarios, out_dir):
    torch.set_num_threads(1)
    torch.distributed.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world_size)
    try:
        results = []
        for logits, marginal, num_iters in scenarios:
            mine = logits[rank]
            log_q = zipf_sinkhorn(mine, marginal, num_iters)
            # the columns normalised over the global batch
            columns = (log_q - global_column_logsumexp(log_q)[None]).exp()
            # the module: usage ranks -> Zipf marginal -> Sinkhorn, twice
            # (the second call ranks by the usage EMA of both batches)
            from dos_mm.models.targets import ZipfSinkhornTarget
            module = ZipfSinkhornTarget(
                num_prototypes=mine.shape[1], alpha=1.3, num_iters=num_iters)
            module_q = [module(mine), module(mine.flip(1))]
            results.append(
                (log_q, columns,
                 global_count(mine.shape[0],
                              mine.device), module_q, module.usage.clone()))
        torch.save(results, os.path.join(out_dir, f'rank{rank}.pth'))
    finally:
        torch.distributed.destroy_process_group()


@pytest.mark.dist
def test_two_processes_match_one_process():
    num_cols = 12
    marginal = rank_marginal(torch.rand(num_cols), 1.3)
    scenarios = []
    for split, num_iters in (((7, 13), 3), ((0, 20), 3), ((13, 7), 50)):
        logits = _cos_logits(sum(split), num_cols, 0.04, seed=sum(split))
        scenarios.append((list(logits.split(split)), marginal, num_iters))
    with tempfile.TemporaryDirectory() as out_dir:
        context = mp.spawn(
            _dist_worker,
            args=(2, _free_port(), scenarios, out_dir),
            nprocs=2,
            join=False)
        deadline = time.time() + 60
        while not context.join(timeout=1):
            if time.time() > deadline:
                for proc in context.processes:
                    proc.kill()
                pytest.fail('distributed Sinkhorn workers timed out')
        ranks = [
            torch.load(os.path.join(out_dir, f'rank{r}.pth')) for r in range(2)
        ]
    for index, (chunks, _, num_iters) in enumerate(scenarios):
        full = torch.cat(chunks)
        expected = zipf_sinkhorn(full, marginal, num_iters)
        got = torch.cat([ranks[r][index][0] for r in range(2)])
        assert torch.isfinite(got).all()
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(
            torch.cat([ranks[r][index][1] for r in range(2)]),
            torch.softmax(expected, dim=0),
            atol=1e-6,
            rtol=1e-5)
        assert [ranks[r][index][2] for r in range(2)] == [len(full)] * 2
        # usage statistics and ranks are those of the global batch
        from dos_mm.models.targets import ZipfSinkhornTarget
        module = ZipfSinkhornTarget(
            num_prototypes=num_cols, alpha=1.3, num_iters=num_iters)
        expected_q = [module(full), module(full.flip(1))]
        for call in range(2):
            torch.testing.assert_close(
                torch.cat([ranks[r][index][3][call] for r in range(2)]),
                expected_q[call],
                atol=1e-5,
                rtol=1e-5)
        for r in range(2):
            torch.testing.assert_close(ranks[r][index][4], module.usage)
