"""The optimizer sees the student only."""
import torch
from torch import nn

from dos_mm.engine import StudentOptimWrapperConstructor


class Toy(nn.Module):

    def __init__(self):
        super().__init__()
        self.student = nn.Linear(2, 2)
        self.teacher = nn.Linear(2, 2).requires_grad_(False)


def test_only_student_parameters_are_optimised():
    model = Toy()
    wrapper = StudentOptimWrapperConstructor(
        dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=0.1)))(
            model)
    params = [p for g in wrapper.optimizer.param_groups for p in g['params']]
    assert {id(p)
            for p in params} == {id(p)
                                 for p in model.student.parameters()}
    wrapped = torch.nn.DataParallel(model)
    wrapper = StudentOptimWrapperConstructor(
        dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)))(
            wrapped)
    assert len(wrapper.optimizer.param_groups[0]['params']) == 2
