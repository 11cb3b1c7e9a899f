"""A ``Det3DDataPreprocessor`` whose MinkUNet voxeliser runs on any device.

mmdet3d 1.4.0's ``Det3DDataPreprocessor.voxelize`` moves the point-to-voxel
map and the sampled voxel indices with a hard-coded ``.cuda()`` when
``voxel_type='minkunet'``, so the segmentation models cannot run on CPU.
This subclass re-implements only that branch, keeping every tensor on the
device of the input points; every other voxel type is delegated unchanged.
"""
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F
from mmdet3d.models.data_preprocessors import Det3DDataPreprocessor
from mmdet3d.registry import MODELS
from mmdet3d.structures.det3d_data_sample import SampleList
from torch import Tensor


@MODELS.register_module()
class AnyDeviceDet3DDataPreprocessor(Det3DDataPreprocessor):
    """Drop-in ``Det3DDataPreprocessor`` that voxelises MinkUNet inputs on
    the device of the points (CPU or CUDA)."""

    def voxelize(self, points: List[Tensor],
                 data_samples: SampleList) -> Dict[str, Tensor]:
        if self.voxel_type != 'minkunet':
            return super().voxelize(points, data_samples)
        voxels, coors = [], []
        voxel_size = points[0].new_tensor(self.voxel_layer.voxel_size)
        for i, (res, data_sample) in enumerate(zip(points, data_samples)):
            res_coors = torch.round(res[:, :3] / voxel_size).int()
            res_coors -= res_coors.min(0)[0]
            inds, point2voxel_map = self.sparse_quantize(
                res_coors.cpu().numpy(),
                return_index=True,
                return_inverse=True)
            if self.training and self.max_voxels is not None \
                    and len(inds) > self.max_voxels:
                inds = np.random.choice(inds, self.max_voxels, replace=False)
            inds = torch.from_numpy(inds).to(res.device)
            point2voxel_map = torch.from_numpy(point2voxel_map).to(res.device)
            if hasattr(data_sample.gt_pts_seg, 'pts_semantic_mask'):
                data_sample.gt_pts_seg.voxel_semantic_mask = \
                    data_sample.gt_pts_seg.pts_semantic_mask[inds]
            res_voxel_coors = res_coors[inds]
            if self.batch_first:
                res_voxel_coors = F.pad(res_voxel_coors, (1, 0), value=i)
                data_sample.batch_idx = res_voxel_coors[:, 0]
            else:
                res_voxel_coors = F.pad(res_voxel_coors, (0, 1), value=i)
                data_sample.batch_idx = res_voxel_coors[:, -1]
            data_sample.point2voxel_map = point2voxel_map.long()
            voxels.append(res[inds])
            coors.append(res_voxel_coors)
        return dict(voxels=torch.cat(voxels), coors=torch.cat(coors))
