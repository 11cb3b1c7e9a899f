"""PreciseBNHook and recompute_bn_statistics: the running statistics after
recomputation equal a direct computation over the same batches; the hook
recomputes before every evaluation and before the final checkpoint, with a
real mmengine Runner."""
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from dos_mm.engine import PreciseBNHook
from dos_mm.engine.precise_bn import recompute_bn_statistics


class Points(Dataset):
    """Deterministic 3-feature samples whose mean and scale differ from
    BatchNorm's initial statistics (mean 0, variance 1)."""

    def __init__(self, n=24):
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 3, generator=g) * 3.0 + 5.0

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i])


class BNModel(BaseModel):
    """Linear -> BatchNorm -> Linear, and a frozen BatchNorm branch kept in
    eval mode while training (as FrozenSparseEncoder keeps its own)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.lin = torch.nn.Linear(3, 4)
        self.bn = torch.nn.BatchNorm1d(4, momentum=0.01)
        self.out = torch.nn.Linear(4, 1)
        self.frozen_bn = torch.nn.BatchNorm1d(3, momentum=0.01)

    def train(self, mode=True):
        super().train(mode)
        self.frozen_bn.eval()
        return self

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = inputs if torch.is_tensor(inputs) else torch.stack(inputs)
        y = self.out(self.bn(self.lin(x)) + self.frozen_bn(x)[:, :1])
        if mode == 'loss':
            return dict(loss=(y - 1).pow(2).mean())
        return y


class CountMetric(BaseMetric):

    def process(self, data_batch, data_samples):
        self.results.append(len(data_samples))

    def compute_metrics(self, results):
        return dict(count=sum(results))


def _direct(model, batches):
    """Mean over batches of each BatchNorm input's mean and unbiased
    variance, with the current weights."""
    means, vars_, fmeans, fvars = [], [], [], []
    with torch.no_grad():
        for batch in batches:
            x = torch.stack(batch['inputs'])
            h = model.lin(x)
            means.append(h.mean(0))
            vars_.append(h.var(0, unbiased=True))
            fmeans.append(x.mean(0))
            fvars.append(x.var(0, unbiased=True))
    return [torch.stack(v).mean(0) for v in (means, vars_, fmeans, fvars)]


def _batches(n, size=4):
    data = Points()
    return [
        dict(inputs=[data[i * size + j]['inputs'] for j in range(size)])
        for i in range(n)
    ]


def test_recompute_equals_direct_computation_and_keeps_modes():
    model = BNModel()
    model.train()
    batches = _batches(5)
    count = recompute_bn_statistics(model, iter(batches), 5)
    assert count == 2
    mean, var, fmean, fvar = _direct(model, batches)
    torch.testing.assert_close(model.bn.running_mean, mean)
    torch.testing.assert_close(model.bn.running_var, var)
    # the frozen layer is recomputed too, and stays in eval mode
    torch.testing.assert_close(model.frozen_bn.running_mean, fmean)
    torch.testing.assert_close(model.frozen_bn.running_var, fvar)
    assert model.training and model.bn.training
    assert not model.frozen_bn.training
    assert model.bn.momentum == 0.01  # restored


def test_recompute_needs_enough_batches():
    model = BNModel()
    with pytest.raises(ValueError, match='fewer than num_batches=6'):
        recompute_bn_statistics(model, iter(_batches(5)), 6)
    with pytest.raises(ValueError, match='num_batches must be >= 1'):
        recompute_bn_statistics(model, iter(_batches(5)), 0)


def _runner(tmp_path, hook, max_iters=6, val_interval=None):
    loader = dict(
        dataset=Points(),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=4,
        num_workers=0,
        collate_fn=dict(type='pseudo_collate'))
    kwargs = {}
    if val_interval:
        kwargs = dict(
            val_dataloader=loader,
            val_cfg=dict(),
            val_evaluator=[CountMetric()])
    return Runner(
        model=BNModel(),
        work_dir=str(tmp_path),
        train_dataloader=loader,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=1e-3)),
        train_cfg=dict(
            by_epoch=False,
            max_iters=max_iters,
            val_interval=val_interval or max_iters),
        custom_hooks=[hook],
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=max_iters, by_epoch=False)),
        default_scope='mmengine',
        **kwargs)


def test_hook_leaves_the_trained_model_with_recomputed_statistics(
        tmp_path, monkeypatch):
    """Without the hook the statistics are the stale moving average; with
    it they equal the direct computation on the batches it drew, in the
    model and in the final checkpoint."""
    stale = _runner(tmp_path / 'stale', dict(type='EmptyCacheHook'))
    stale.train()
    hook = PreciseBNHook(num_batches=3)
    drawn, draw = [], hook._batches

    def recording(runner):
        for batch in draw(runner):
            drawn.append(batch)
            yield batch

    monkeypatch.setattr(hook, '_batches', recording)
    runner = _runner(tmp_path / 'precise', hook)
    runner.train()
    assert len(drawn) == 3 and len(drawn[0]['inputs']) == 4
    model = runner.model
    mean, var, _, _ = _direct(model, drawn)
    torch.testing.assert_close(model.bn.running_mean, mean)
    torch.testing.assert_close(model.bn.running_var, var)
    assert not torch.allclose(stale.model.bn.running_mean, mean, atol=0.1)
    ckpt = torch.load(tmp_path / 'precise' / 'iter_6.pth', weights_only=False)
    torch.testing.assert_close(ckpt['state_dict']['bn.running_mean'], mean)


def test_hook_recomputes_before_each_evaluation(tmp_path, monkeypatch):
    calls = []
    hook = PreciseBNHook(num_batches=2, before_train=True)
    monkeypatch.setattr(hook, 'recompute',
                        lambda runner, when: calls.append(when))
    _runner(tmp_path, hook, max_iters=10, val_interval=4).train()
    assert calls == [
        'before training', 'iteration 4', 'iteration 8', 'iteration 10'
    ]


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_batches=0), 'num_batches'),
    (dict(num_batches=2.5), 'num_batches'),
    (dict(interval=0), 'interval'),
])
def test_hook_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PreciseBNHook(**kwargs)
