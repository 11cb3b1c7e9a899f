"""Optimizer constructor that sees the student only."""
from mmdet3d.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class StudentOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Build the optimizer over ``model.student`` (the trained network).

    The EMA teacher's parameters never receive gradients; leaving them out
    keeps them out of the optimizer state and of weight decay. Parameter
    names in ``paramwise_cfg`` are relative to the student (``backbone.``,
    ``head.``, ...).
    """

    def __call__(self, model):
        if is_model_wrapper(model):
            model = model.module
        return super().__call__(model.student)
