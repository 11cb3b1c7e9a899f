"""FreezeWarmupHook: the named module does not move (weights, AdamW state,
BatchNorm statistics) during the frozen span and trains after it, with a
real mmengine Runner."""
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from dos_mm.engine import FreezeWarmupHook


class Samples(Dataset):

    def __len__(self):
        return 32

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(3, generator=g) + 2.0)


class EncoderHead(BaseModel):

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.encoder = torch.nn.Sequential(
            torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
        self.head = torch.nn.Linear(4, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        y = self.head(self.encoder(torch.stack(inputs)))
        if mode == 'loss':
            return dict(loss=(y - 1).pow(2).mean())
        return y


def _train(tmp_path, hook, max_iters=8):
    from mmengine.hooks import Hook

    class Record(Hook):
        states = []

        def after_train_iter(self,
                             runner,
                             batch_idx,
                             data_batch=None,
                             outputs=None):
            self.states.append({
                k: v.clone()
                for k, v in runner.model.encoder.state_dict().items()
            })

    record = Record()
    record.states = []
    runner = Runner(
        model=EncoderHead(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=Samples(),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=4,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.05)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        custom_hooks=[hook, record],
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=max_iters, by_epoch=False)),
        default_scope='mmengine')
    start = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    return runner, start, record.states


def test_encoder_frozen_for_the_first_quarter_then_trains(tmp_path):
    runner, start, states = _train(tmp_path,
                                   FreezeWarmupHook('encoder', ratio=0.25))
    assert FreezeWarmupHook('encoder', ratio=0.25).frozen_iters(runner) == 2
    for state in states[:2]:  # weights and BatchNorm statistics unchanged
        for key, value in state.items():
            torch.testing.assert_close(value, start[f'encoder.{key}'])
    moved = states[2]
    assert not torch.equal(moved['0.weight'], start['encoder.0.weight'])
    assert not torch.equal(moved['1.running_mean'],
                           start['encoder.1.running_mean'])
    assert not torch.equal(runner.model.head.weight, start['head.weight'])
    assert all(p.requires_grad for p in runner.model.encoder.parameters())


def test_without_the_hook_the_encoder_moves_at_once(tmp_path):
    from mmengine.hooks import EmptyCacheHook
    _, start, states = _train(tmp_path, EmptyCacheHook())
    assert not torch.equal(states[0]['0.weight'], start['encoder.0.weight'])


def test_wrong_module_name_fails_before_the_first_step(tmp_path):
    with pytest.raises(ValueError, match="no module 'pts_middle_encoder'"):
        _train(tmp_path, FreezeWarmupHook('pts_middle_encoder', iters=2))


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(ratio=0.1, iters=3),
    dict(ratio=1.0),
    dict(iters=0),
    dict(iters=1.5)
])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError, match='FreezeWarmupHook'):
        FreezeWarmupHook('encoder', **kwargs)
