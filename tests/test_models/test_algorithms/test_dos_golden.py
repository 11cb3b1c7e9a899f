"""A whole ``DOS.loss`` step pinned: loss, diagnostics and gradients of
every student parameter, in each ablation mode, against values recorded
from the code before a refactor (``dos_golden.json`` next to this file).

A refactor that moves code must not move these numbers. A change that is
meant to change them (new maths, a new default) rewrites the file, and
says so in its commit::

    python -m tests.test_models.test_algorithms.test_dos_golden --write
"""
import json
import sys
from pathlib import Path

import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ...conftest import TINY_CONFIG
from .test_dos import make_batch

GOLDEN = Path(__file__).with_name('dos_golden.json')

# case -> (config, model overrides)
CASES = {
    'dos': ('dos_tiny.py', {}),
    'softmaps_alpha0': ('dos_tiny.py', dict(schedule=dict(alpha=0.0))),
    'observable_point': ('dos_tiny.py',
                         dict(head=dict(loss=dict(mode='point')))),
    'assignment_usage': ('dos_tiny.py',
                         dict(head=dict(target=dict(usage='assignment')))),
    'mask_token': ('dos_tiny.py',
                   dict(data_preprocessor=dict(student_input='mask_token'),
                        encoder=dict(mask_token_channels=4))),
    'mask_token_all': ('dos_tiny.py',
                       dict(data_preprocessor=dict(
                           student_input='mask_token_all'),
                            encoder=dict(mask_token_channels=4))),
    'minkunet': ('dos_tiny_minkunet.py', {}),
}


def in_force(model, cfg, it: int = 100) -> None:
    """Set the values the config's schedule hook puts in force at
    iteration ``it`` (and its mask seed), as a training run would."""
    from types import SimpleNamespace

    from mmengine.logging import MessageHub

    from dos_mm.engine.hooks import DOSScheduleHook
    (hook_cfg, ) = [dict(h) for h in cfg.custom_hooks
                    if h['type'] == 'DOSScheduleHook']
    hook_cfg.pop('type')
    hook = DOSScheduleHook(**hook_cfg)
    runner = SimpleNamespace(
        model=model, iter=it, max_iters=cfg.train_cfg.max_iters, seed=0,
        message_hub=MessageHub.get_instance('dos_golden'))
    hook.before_train_iter(runner, 0)


def step(case: str) -> dict:
    """One loss and backward of the case's tiny DOS on the fixed batch, on
    one CPU thread (sums split over threads round differently: 2e-4 of a
    gradient norm): every logged value, and per student parameter the
    gradient's L2 norm and its projection on a fixed random direction
    (float64)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _step(case)
    finally:
        torch.set_num_threads(threads)


def _step(case: str) -> dict:
    config, overrides = CASES[case]
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG.parent / config))
    cfg.merge_from_dict(dict(model=overrides))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    in_force(model, cfg)
    data = model.data_preprocessor(make_batch(), True)
    out = model(**data, mode='loss')
    out['loss'].backward()
    gen = torch.Generator().manual_seed(1)
    grads = {}
    for name, p in model.student.named_parameters():
        g = torch.zeros_like(p) if p.grad is None else p.grad
        g = g.double().flatten()
        direction = torch.randn(g.numel(), generator=gen, dtype=torch.float64)
        grads[name] = [float(g.norm()), float(g @ direction)]
    return dict(
        values={k: float(v) for k, v in out.items()}, grads=grads)


@pytest.fixture(scope='module')
def golden() -> dict:
    if not GOLDEN.exists():
        pytest.fail(f'{GOLDEN} is missing: write it with `python -m '
                    'tests.test_models.test_algorithms.test_dos_golden '
                    '--write` on the code it should pin')
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize('case', sorted(CASES))
def test_loss_step_matches_golden(case, golden):
    got, want = step(case), golden[case]
    assert sorted(got['values']) == sorted(want['values'])
    for key, value in want['values'].items():
        assert got['values'][key] == pytest.approx(
            value, rel=1e-4, abs=1e-6), key
    assert sorted(got['grads']) == sorted(want['grads'])
    for name, (norm, proj) in want['grads'].items():
        g_norm, g_proj = got['grads'][name]
        assert g_norm == pytest.approx(norm, rel=1e-4, abs=1e-9), name
        # the projection is a sum of signed terms: tolerance from the norm
        assert abs(g_proj - proj) <= 1e-4 * norm * 10 + 1e-9, name


if __name__ == '__main__':
    if sys.argv[1:] != ['--write']:
        sys.exit('usage: python -m tests.test_models.test_algorithms.'
                 'test_dos_golden --write')
    GOLDEN.write_text(
        json.dumps({case: step(case)
                    for case in sorted(CASES)}, indent=1) + '\n')
    print(f'wrote {GOLDEN}')
