"""A kill during a checkpoint save leaves a checkpoint that --resume
continues from, at max_keep_ckpts 1 and 2 (issue 34, case 2). The child
process kills itself in the middle of writing its N-th checkpoint (bytes
already on disk), which is where mmengine's order had already removed the
old one."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent('''
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    import torch
    import dos_mm  # the compat patches
    from dos_mm.compat import atomic_checkpoint
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    work, keep, kill_at, resume = sys.argv[1], int(sys.argv[2]), \\
        int(sys.argv[3]), sys.argv[4] == '1'
    saves = []
    real = atomic_checkpoint._ORIGINAL['save_checkpoint']

    def dying(checkpoint, filename, *args, **kwargs):
        saves.append(filename)
        if len(saves) == kill_at:
            with open(filename, 'wb') as f:
                f.write(b'PK half a checkpoint')
            os.kill(os.getpid(), signal.SIGKILL)
        return real(checkpoint, filename, *args, **kwargs)

    atomic_checkpoint._ORIGINAL['save_checkpoint'] = dying

    class Toy(BaseModel):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Linear(2, 1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            return dict(loss=self.w(torch.stack(inputs)).pow(2).mean())

    data = [dict(inputs=torch.ones(2) * i) for i in range(8)]
    Runner(
        model=Toy(), work_dir=work,
        train_dataloader=dict(
            dataset=data, batch_size=2, num_workers=0,
            sampler=dict(type='InfiniteSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=False, max_iters=6),
        default_hooks=dict(checkpoint=dict(
            type='CheckpointHook', by_epoch=False, interval=1,
            max_keep_ckpts=keep)),
        resume=resume, default_scope='mmengine').train()
''')


def _run(tmp_path, work, keep, kill_at, resume):
    script = tmp_path / 'child.py'
    script.write_text(CHILD.format(repo=str(REPO)))
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([
        sys.executable,
        str(script),
        str(work),
        str(keep),
        str(kill_at), '1' if resume else '0'
    ],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)


@pytest.mark.parametrize('keep', [1, 2])
def test_kill_during_save_leaves_a_checkpoint_to_resume(tmp_path, keep):
    work = tmp_path / 'work'
    killed = 0
    for kill_at in (3, 2):  # killed twice, in two later saves
        proc = _run(tmp_path, work, keep, kill_at, resume=killed > 0)
        assert proc.returncode == -9, proc.stderr[-2000:]
        killed += 1
        last = (work / 'last_checkpoint').read_text().strip()
        assert os.path.isfile(last), (last, sorted(os.listdir(work)))
        ckpt = torch.load(last, map_location='cpu', weights_only=False)
        assert 'state_dict' in ckpt and 'optimizer' in ckpt
        kept = sorted(p.name for p in work.glob('iter_*.pth'))
        assert 1 <= len(kept) <= keep, kept
    start = ckpt['meta']['iter']
    proc = _run(tmp_path, work, keep, 0, resume=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'resumed' in proc.stdout + proc.stderr
    final = torch.load(
        work / 'iter_6.pth', map_location='cpu', weights_only=False)
    assert final['meta']['iter'] == 6 and start < 6
    assert len(list(work.glob('iter_*.pth'))) == keep
