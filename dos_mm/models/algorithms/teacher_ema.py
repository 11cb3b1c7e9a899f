"""The EMA teacher: a frozen copy of the student encoder."""
import torch
from mmengine.model import BaseAveragedModel
from torch import Tensor, nn


def disable_stochastic_layers(module: nn.Module) -> int:
    """Set every dropout and drop-path rate in ``module`` to 0; returns how
    many layers had one. The teacher runs in train mode (for its BatchNorm
    statistics), where these would make its targets random; DINO-style
    teachers drop nothing."""
    changed = 0
    for layer in module.modules():
        if isinstance(layer, nn.modules.dropout._DropoutNd) and layer.p:
            layer.p = 0.0
            changed += 1
        elif getattr(layer, 'drop_prob', 0):  # mmcv / timm DropPath
            layer.drop_prob = 0.0
            changed += 1
    return changed


class TeacherEMA(BaseAveragedModel):
    """EMA copy of the student encoder, ``theta_T <- m theta_T + (1-m)
    theta_S``.

    ``momentum`` here is the weight the teacher KEEPS (DINO convention). Note
    that mmengine's ``ExponentialMovingAverage`` uses the opposite meaning.

    Only parameters are averaged. BatchNorm: the teacher runs in train mode on
    full views, so it normalises with the batch statistics of what it sees
    and its running statistics are its own EMA of full-view statistics; they
    are never copied from the student (whose statistics come from the masked,
    observable-only views). Exported teacher checkpoints therefore carry
    full-scan BN statistics for fine-tuning. Dropout and drop path are
    off in the teacher (:func:`disable_stochastic_layers`), on in the
    student.

    Args:
        model (nn.Module): the student encoder to copy.
        momentum (float): initial weight kept by the teacher.
    """

    def __init__(self, model: nn.Module, momentum: float = 0.994) -> None:
        super().__init__(model, interval=1, update_buffers=False)
        self.momentum = momentum
        self.module.requires_grad_(False)
        disable_stochastic_layers(self.module)
        # the copy is the initial teacher: count it as the first update
        self.steps.fill_(1)

    def avg_func(self, averaged_param: Tensor, source_param: Tensor,
                 steps: int) -> None:
        averaged_param.mul_(self.momentum).add_(
            source_param, alpha=1 - self.momentum)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average the parameters of ``model`` into the teacher; buffers
        (BN statistics) stay the teacher's own."""
        src = dict(model.named_parameters())
        teacher, student = [], []
        for name, param in self.module.named_parameters():
            teacher.append(param.data)
            student.append(src[name].data.to(param.device))
        # avg_func for all parameters at once (foreach kernels, no
        # per-parameter read of ``steps``)
        torch._foreach_mul_(teacher, self.momentum)
        torch._foreach_add_(teacher, student, alpha=1 - self.momentum)
        self.steps += 1
