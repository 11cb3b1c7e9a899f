"""spconv's sparse convolutions on CPU tensors, race-free with any thread
count.

spconv 2.3's CPU path of ``ops.indice_conv`` / ``ops.indice_conv_backward``
(used by ``SubMConv3d``, ``SparseConv3d`` and ``SparseInverseConv3d`` alike)
loops over the kernel offsets with its own gather, a ``torch.mm`` into a
reused buffer, and its own scatter-add. With more than one torch thread that
loop computes a different, wrong result on each call: outputs and both
gradients are off by as much as their own size, reruns differ, one thread is
exact (seen with spconv 2.3.8 and torch 2.13, CPU build; upstream reports
the symptom as traveller59/spconv#679). The index pairs themselves are
correct and deterministic.

The replacement below does the same gather-GEMM-scatter with torch's own
ops (``index_select``, ``mm``, ``index_add_``) over spconv's index pairs.
Within one kernel offset every output row receives at most one input row,
and torch's ``index_add_`` on CPU is deterministic, so the result is exact
and bitwise reproducible for every thread count. Like spconv's own CPU
loop (whose ``mm(out=...)`` autocast leaves alone) it computes in the
features' dtype, also under CPU autocast. It is a no-op on CUDA tensors
(spconv's CUDA kernels are used as they are) and leaves bias and fused
activations, which spconv's CPU path refuses anyway, to spconv.

Weight layout: spconv 2 stores kernels as ``(out, k0, k1, k2, in)``
(``ALL_WEIGHT_IS_KRSC``), viewed here as ``(out, kv, in)`` with ``kv`` the
kernel volume. Index pairs are ``(2, kv, L)``: row ``inverse`` holds the
input rows of each offset, the other row the output rows; ``pair_num``
``(kv,)`` counts the valid entries. For submanifold convolutions the centre
offset is the identity and only the first half of the counts is stored
(offset ``i > kv // 2`` has as many pairs as offset ``kv - 1 - i``).
"""
from typing import Iterator, Tuple

import torch
from torch import Tensor

PairList = Iterator[Tuple[int, Tensor, Tensor]]


def offset_pairs(indice_pairs: Tensor, indice_pair_num: Tensor, inverse: bool,
                 subm: bool) -> PairList:
    """Yield ``(offset, in_rows (n,), out_rows (n,))`` int64 for every
    kernel offset with pairs (the submanifold centre is left out: it is the
    identity map)."""
    counts = indice_pair_num.tolist()
    kv = len(counts)
    centre = kv // 2
    pair_in = indice_pairs[int(inverse)]
    pair_out = indice_pairs[int(not inverse)]
    for i in range(kv):
        if subm and i == centre:
            continue
        n = counts[kv - 1 - i] if subm and i > centre else counts[i]
        if n > 0:
            yield i, pair_in[i, :n].long(), pair_out[i, :n].long()


def sparse_conv_forward(features: Tensor, filters: Tensor,
                        indice_pairs: Tensor, indice_pair_num: Tensor,
                        num_out: int, inverse: bool, subm: bool) -> Tensor:
    """(N, C_in) features, (C_out, *kernel, C_in) filters -> (num_out,
    C_out): ``out[o] = sum_k sum_{(i, o) in pairs_k} W_k @ x[i]``."""
    # (kv, C_in, C_out), each offset's matrix contiguous for the GEMMs
    weight = filters.reshape(filters.shape[0], -1,
                             filters.shape[-1]).permute(1, 2, 0).contiguous()
    if subm:
        out = features @ weight[len(weight) // 2]  # (N, C_out)
    else:
        out = features.new_zeros(num_out, weight.shape[2])
    for k, rows_in, rows_out in offset_pairs(indice_pairs, indice_pair_num,
                                             inverse, subm):
        out.index_add_(0, rows_out,
                       features.index_select(0, rows_in) @ weight[k])
    return out


def sparse_conv_backward(features: Tensor, filters: Tensor, out_bp: Tensor,
                         indice_pairs: Tensor, indice_pair_num: Tensor,
                         inverse: bool, subm: bool) -> Tuple[Tensor, Tensor]:
    """Gradients of :func:`sparse_conv_forward` for the (num_out, C_out)
    output gradient ``out_bp``: the (N, C_in) input gradient and the
    filters' gradient in their own shape."""
    c_out, c_in = filters.shape[0], filters.shape[-1]
    # (kv, C_out, C_in), each offset's matrix contiguous for the GEMMs
    weight = filters.reshape(c_out, -1, c_in).transpose(0, 1).contiguous()
    dweight = torch.zeros_like(weight)
    if subm:
        centre = len(weight) // 2
        din = out_bp @ weight[centre]
        torch.mm(out_bp.t(), features, out=dweight[centre])
    else:
        din = torch.zeros_like(features)
    for k, rows_in, rows_out in offset_pairs(indice_pairs, indice_pair_num,
                                             inverse, subm):
        grad = out_bp.index_select(0, rows_out)  # (n, C_out)
        torch.mm(grad.t(), features.index_select(0, rows_in), out=dweight[k])
        din.index_add_(0, rows_in, grad @ weight[k])
    # back to spconv's (C_out, k0, k1, k2, C_in)
    return din, dweight.transpose(0, 1).reshape(filters.shape)


def _affected(version: str) -> bool:
    """spconv releases whose CPU convolution loop is not thread-safe: every
    2.x seen so far (2.3.8 measured; 2.3.x share the loop). Narrow this
    when a release fixes it, and the patch goes away there."""
    major, minor = (int(x) for x in version.split('.')[:2])
    return (major, minor) < (2, 4)


def _uses_cpu_path(features: Tensor, filters: Tensor, bias, act_type) -> bool:
    no_act = act_type is None or getattr(act_type, 'value', act_type) == 0
    return (not features.is_cuda and not filters.is_cuda and bias is None
            and no_act)


def patch_spconv_cpu_conv(force: bool = False) -> bool:
    """Route spconv's ``ops.indice_conv`` and ``ops.indice_conv_backward``
    through :func:`sparse_conv_forward` / :func:`sparse_conv_backward` for
    CPU tensors (CUDA tensors, bias and activations go to spconv as before).

    Args:
        force (bool): patch whatever the spconv version (tests only).

    Returns:
        bool: whether the patch is in place.
    """
    try:
        import spconv
        from spconv import constants
        from spconv.pytorch import ops
    except ImportError:
        return False
    if not (force or _affected(spconv.__version__)):
        return False
    if not constants.ALL_WEIGHT_IS_KRSC:  # another weight layout: untouched
        return False
    if getattr(ops.indice_conv, '_dos_mm_original', None) is not None:
        return True
    original_fwd, original_bwd = ops.indice_conv, ops.indice_conv_backward

    def indice_conv(features,
                    filters,
                    indice_pairs,
                    indice_pair_num,
                    num_activate_out,
                    inverse=False,
                    subm=False,
                    *args,
                    bias=None,
                    act_type=None,
                    **kwargs):
        if args or not _uses_cpu_path(features, filters, bias, act_type):
            if act_type is not None:
                kwargs['act_type'] = act_type
            return original_fwd(
                features,
                filters,
                indice_pairs,
                indice_pair_num,
                num_activate_out,
                inverse,
                subm,
                *args,
                bias=bias,
                **kwargs)
        with torch.autocast('cpu', enabled=False):
            return sparse_conv_forward(features.contiguous(), filters,
                                       indice_pairs, indice_pair_num,
                                       num_activate_out, inverse, subm)

    def indice_conv_backward(features,
                             filters,
                             out_bp,
                             indice_pairs,
                             indice_pair_num,
                             inverse=False,
                             subm=False,
                             *args,
                             **kwargs):
        if args or not _uses_cpu_path(features, filters, None, None):
            return original_bwd(features, filters, out_bp, indice_pairs,
                                indice_pair_num, inverse, subm, *args,
                                **kwargs)
        with torch.autocast('cpu', enabled=False):
            return sparse_conv_backward(features.contiguous(), filters,
                                        out_bp.contiguous(), indice_pairs,
                                        indice_pair_num, inverse, subm)

    indice_conv._dos_mm_original = original_fwd
    indice_conv_backward._dos_mm_original = original_bwd
    ops.indice_conv = indice_conv
    ops.indice_conv_backward = indice_conv_backward
    return True


def unpatch_spconv_cpu_conv() -> None:
    """Put spconv's own functions back (tests only)."""
    from spconv.pytorch import ops
    for name in ('indice_conv', 'indice_conv_backward'):
        original = getattr(getattr(ops, name), '_dos_mm_original', None)
        if original is not None:
            setattr(ops, name, original)
