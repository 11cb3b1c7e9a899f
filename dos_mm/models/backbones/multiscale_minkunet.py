"""mmdet3d's spconv ``MinkUNetBackbone`` returning every decoder level."""
import inspect
from typing import List, Optional, Tuple

import torch
from mmdet3d.models.backbones import MinkUNetBackbone
from mmdet3d.models.layers.sparse_block import replace_feature
from mmdet3d.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class MultiScaleMinkUNet(MinkUNetBackbone):
    """``MinkUNetBackbone`` (spconv backend) with multi-scale outputs.

    Parameter names equal mmdet3d's, so weights transfer to MinkUNet's
    ``backbone`` as they are. Two differences in ``forward``:

    * it returns every decoder output (strides 2^(S-1) ... 1), so the whole
      U-Net is pretrained;
    * the sparse shape is rounded up to a multiple of 2^num_stages: spconv's
      kernel-2 stride-2 convolution drops the last row of an odd dimension,
      which would leave fine voxels without a coarse parent.

    Args: those of ``MinkUNetBackbone``; ``sparseconv_backend`` must be
    ``'spconv'``.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault('sparseconv_backend', 'spconv')
        if kwargs['sparseconv_backend'] != 'spconv':
            raise ValueError('MultiScaleMinkUNet supports the spconv backend '
                             f"only, got {kwargs['sparseconv_backend']!r}")
        defaults = inspect.signature(MinkUNetBackbone.__init__).parameters
        # copied first: mmdet3d inserts into the list it is given
        decoder = list(
            kwargs.get('decoder_channels',
                       defaults['decoder_channels'].default))
        basic = kwargs.get('block_type', 'basic') == 'basic'
        super().__init__(**kwargs)
        self._level_channels = [int(c) for c in decoder] if basic else None

    @property
    def level_channels(self) -> Optional[List[int]]:
        """C of each decoder level ``forward`` returns (None for block
        types whose widths are not the configured ones)."""
        return self._level_channels

    def forward(self, voxel_features: Tensor, coors: Tensor,
                batch_size: int) -> Tuple[List, List[tuple]]:
        """Args: voxel_features (M, C); coors (M, 4) as (scan, x, y, z).

        Returns:
            tuple: decoder outputs (coarsest first) and their strides.
        """
        from spconv.pytorch import SparseConvTensor
        unit = 2**self.num_stages
        extent = coors[:, 1:].max(0)[0] + 1 if len(coors) else \
            coors.new_ones(3)
        shape = (torch.div(extent + unit - 1, unit, rounding_mode='floor') *
                 unit).tolist()
        # spconv reads raw memory: indices must be contiguous
        x = SparseConvTensor(voxel_features,
                             coors.int().contiguous(), shape, batch_size)
        x = self.conv_input(x)
        laterals = [x]
        for encoder_layer in self.encoder:
            x = encoder_layer(x)
            laterals.append(x)
        laterals = laterals[:-1][::-1]
        outs = []
        for i, decoder_layer in enumerate(self.decoder):
            x = decoder_layer[0](x)
            x = replace_feature(
                x, torch.cat((x.features, laterals[i].features), dim=1))
            x = decoder_layer[1](x)
            outs.append(x)
        strides = [(2**(self.num_stages - 1 - i), ) * 3
                   for i in range(self.num_stages)]
        return outs, strides
