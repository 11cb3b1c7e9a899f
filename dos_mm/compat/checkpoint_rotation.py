"""Rotate mmengine checkpoints without a moment when none is complete.

mmengine 0.10.7's ``CheckpointHook`` removes the oldest checkpoint *before*
it writes the new one, and writes ``last_checkpoint`` after. With
``max_keep_ckpts=1`` a kill during the save leaves no checkpoint at all and
a ``last_checkpoint`` naming a deleted file (``--resume`` then fails with a
bare ``FileNotFoundError``); with 2 it loses one of the two. Here the new
file is written first (atomically, :mod:`.atomic_checkpoint`), then
``last_checkpoint`` is moved to it (atomically), and only then is the oldest
one removed. Which files are kept, and ``keep_ckpt_ids`` in the message hub,
are as mmengine has them.
"""
import os.path as osp

from dos_mm.utils.atomic_write import atomic_write_text

_ORIGINAL = {}


def _save_then_rotate(self, runner, step, meta):
    """``CheckpointHook._save_checkpoint_with_step`` in the safe order."""
    from mmengine.dist import is_main_process
    outdated = None
    if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
    filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)
    runner.save_checkpoint(
        self.out_dir,
        filename,
        self.file_client_args,
        save_optimizer=self.save_optimizer,
        save_param_scheduler=self.save_param_scheduler,
        meta=meta,
        by_epoch=self.by_epoch,
        backend_args=self.backend_args,
        **self.args)
    if not is_main_process():
        return
    atomic_write_text(
        osp.join(runner.work_dir, 'last_checkpoint'), str(self.last_ckpt))
    if outdated is not None:
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(outdated))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):  # DeepSpeed writes folders
            self.file_backend.rmtree(path)


def patch_checkpoint_rotation() -> bool:
    """Give mmengine's ``CheckpointHook`` the save-then-rotate order."""
    from mmengine.hooks import CheckpointHook
    if 'method' not in _ORIGINAL:
        _ORIGINAL['method'] = CheckpointHook._save_checkpoint_with_step
    CheckpointHook._save_checkpoint_with_step = _save_then_rotate
    return True
