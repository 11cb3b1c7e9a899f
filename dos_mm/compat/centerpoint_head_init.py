"""Give the heatmaps of mmdet3d's ``CenterHead`` their ``init_bias``.

mmdet3d 1.4's ``CenterHead`` keeps its ``SeparateHead`` task heads in a
plain ``torch.nn.ModuleList``. mmengine's ``BaseModule.init_weights`` only
recurses into children that have an ``init_weights`` method, which
``nn.ModuleList`` lacks, so ``SeparateHead.init_weights`` never runs: the
heatmap convolutions keep a bias near 0 (a prior of 0.5 per BEV cell)
instead of ``init_bias`` (-2.19, a prior of 0.1), and the first Gaussian
focal losses are in the thousands instead of about one.

Running ``SeparateHead.init_weights`` as written would not be right
either: besides the bias it applies its ``Kaiming`` init config (fan-out)
to the heatmap's last convolution, which gives heatmap logits with a
standard deviation of about 5 on the synthetic CenterPoint. The patch does
what CenterPoint's reference implementation does: the heatmap's last
convolution gets the bias ``init_bias``; every other weight keeps the
initialisation mmdet3d users get today.
"""


def patch_centerpoint_head_init() -> bool:
    """Make ``CenterHead.init_weights`` set each task head's heatmap bias.

    Returns:
        bool: whether the patch is in place (False when mmdet3d is missing
        or ``CenterHead`` defines ``init_weights`` itself).
    """
    try:
        from mmdet3d.models.dense_heads import CenterHead
    except ImportError:
        return False
    if getattr(CenterHead.init_weights, '_dos_mm_patched', False):
        return True
    if 'init_weights' in vars(CenterHead):  # a release that has its own
        return False
    base = CenterHead.init_weights  # mmengine's BaseModule.init_weights

    def init_weights(self) -> None:
        base(self)
        for head in self.task_heads:
            heatmap = getattr(head, 'heatmap', None)
            if heatmap is not None and hasattr(head, 'init_bias'):
                heatmap[-1].bias.data.fill_(head.init_bias)

    init_weights._dos_mm_patched = True
    CenterHead.init_weights = init_weights
    return True
