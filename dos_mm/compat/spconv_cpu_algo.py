"""spconv modules of a CUDA spconv wheel on CPU tensors.

A CUDA build of spconv gives every ``SparseConvolution`` the
``MaskImplicitGemm`` algorithm by default, whose index pairs and kernels
exist for CUDA only (``AssertionError: implicit gemm only support cuda``).
So on a GPU machine a model built there cannot run on CPU tensors: the CPU
test suite, the demo's random baseline, probes of a model kept on the CPU.

The fix runs a convolution whose input features are on the CPU with the
``Native`` algorithm for that call (the CPU algorithm; the weights have the
same layout in spconv 2, ``ALL_WEIGHT_IS_KRSC``); CUDA inputs keep the
module's own algorithm. With the CPU wheel every module is already
``Native`` and nothing changes.
"""


def patch_spconv_cpu_algo(force: bool = False) -> bool:
    """Make ``SparseConvolution`` use the native algorithm for CPU inputs.

    Args:
        force (bool): patch even with a CPU-only spconv build (tests).

    Returns:
        bool: whether the patch is in place.
    """
    try:
        from spconv import constants
        from spconv.core import ConvAlgo
        from spconv.cppconstants import CPU_ONLY_BUILD
        from spconv.pytorch.conv import SparseConvolution
    except ImportError:
        return False
    if CPU_ONLY_BUILD and not force:
        return False
    if not constants.ALL_WEIGHT_IS_KRSC:  # native weights differ there
        return False
    original = SparseConvolution._conv_forward
    if getattr(original, '_dos_mm_original', None) is not None:
        return True

    def _conv_forward(self, training, input, *args, **kwargs):
        if input.features.is_cuda or self.algo == ConvAlgo.Native:
            return original(self, training, input, *args, **kwargs)
        algo, self.algo = self.algo, ConvAlgo.Native
        try:
            return original(self, training, input, *args, **kwargs)
        finally:
            self.algo = algo

    _conv_forward._dos_mm_original = original
    SparseConvolution._conv_forward = _conv_forward
    return True
