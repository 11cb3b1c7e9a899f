"""Refuse to resume from, or load, a checkpoint that does not fit the model.

mmengine's ``Runner.resume`` and ``load_from`` load model weights with
``strict=False``: a checkpoint written by another config (another backbone,
another number of prototypes) only produces a warning, and the run
continues with part of its weights random. For DOS, where the teacher, the
prototypes and the usage statistics must all come back, that is a silently
wrong run, so this hook raises before the first step instead.
"""
from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


def _source(runner) -> str:
    """The path being loaded, as mmengine's ``load_or_resume`` picks it."""
    path = getattr(runner, '_load_from', None)
    if path is None and getattr(runner, '_resume', False):
        from mmengine.runner.checkpoint import find_latest_checkpoint
        path = find_latest_checkpoint(runner.work_dir)
    return str(path) if path else 'the checkpoint'


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Raise when a loaded checkpoint lacks a model tensor or has another
    shape for it; extra tensors in the file are reported, and refused with
    ``allow_extra=False`` (``tools/test.py``: evaluating a file that is not
    the model's, a raw DOS checkpoint for instance, is a wrong number).

    Args:
        max_listed (int): how many offending names the error lists.
        allow_partial (bool): log model tensors the file lacks or holds in
            another shape instead of raising; they keep their initial values
            (a partial load, for users who know why).
        allow_extra (bool): log tensors the model lacks instead of raising.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 max_listed: int = 5,
                 allow_partial: bool = False,
                 allow_extra: bool = True) -> None:
        self.max_listed = max_listed
        self.allow_partial = allow_partial
        self.allow_extra = allow_extra

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        state = checkpoint.get('state_dict') if isinstance(checkpoint,
                                                           dict) else None
        source = _source(runner)
        if not isinstance(state, dict):
            raise ValueError(f'{source}: holds no state_dict; it is not a '
                             'checkpoint written by tools/train.py')
        state = {
            k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()
        }
        if hasattr(model, 'upgrade_state_dict'):  # keys of older versions
            state = model.upgrade_state_dict(state)
        own = model.state_dict()
        missing = [k for k in own if k not in state]
        shapes = [
            f'{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}'
            for k, v in own.items() if k in state
            and hasattr(state[k], 'shape') and state[k].shape != v.shape
        ]
        n = self.max_listed
        extra = [k for k in state if k not in own]
        if (missing or shapes) and self.allow_partial:
            runner.logger.warning(
                f'{source}: {len(missing)} of {len(own)} model tensors not '
                f'in the file and {len(shapes)} of another shape keep their '
                f'initial values (a partial load, allowed), e.g. '
                f'{(missing + shapes)[:n]}')
            missing, shapes = [], []
        if missing or shapes:
            raise ValueError(
                f'{source} does not fit this config\'s model: '
                f'{len(missing)} of {len(own)} tensors missing '
                f'{missing[:n]}, {len(shapes)} with another shape '
                f'{shapes[:n]}. It was written by another config. Fix: '
                'resume or evaluate with the config that wrote it; to start '
                'from another model\'s weights, convert them '
                '(tools/convert_checkpoint.py) and use init_cfg' +
                ('' if self.allow_extra else
                 ' (tools/test.py: --allow-partial-checkpoint loads the '
                 'tensors that fit)'))
        if extra and not self.allow_extra:
            raise ValueError(
                f'{source} does not fit this config\'s model: {len(extra)} '
                f'of its {len(state)} tensors are not in the model, e.g. '
                f'{extra[:n]}. It was written for another model. Fix: '
                'evaluate with the config that trained it; a pretraining '
                'checkpoint is converted (tools/convert_checkpoint.py) and '
                'fine-tuned first. --allow-partial-checkpoint loads it '
                'anyway')
        if extra:
            runner.logger.warning(
                f'{source}: {len(extra)} tensors not in the model ignored, '
                f'e.g. {extra[:self.max_listed]}')
