"""``PackDOSInputs``: hand the views of ``DOSMultiView`` to the model."""
import torch
from mmcv.transforms import BaseTransform
from mmdet3d.registry import TRANSFORMS
from mmdet3d.structures import Det3DDataSample


@TRANSFORMS.register_module()
class PackDOSInputs(BaseTransform):
    """Pack ``results['dos_views']`` as tensors.

    Output ``inputs['views']`` is a list (one entry per view) of dicts with
    ``points`` (Nv, C), ``orig_coord`` (Nv, 3) and ``orig_idx`` (Nv,);
    ``data_samples`` is a ``Det3DDataSample`` carrying the scan's meta
    (``lidar_path``, ``sample_idx``). Labels are never packed: pretraining
    does not read them.
    """
    META_KEYS = ('lidar_path', 'sample_idx', 'dos_nonfinite_points')

    def transform(self, results: dict) -> dict:
        views = [{
            key: torch.from_numpy(value)
            for key, value in view.items()
        } for view in results['dos_views']]
        sample = Det3DDataSample()
        sample.set_metainfo(
            {k: results[k]
             for k in self.META_KEYS if k in results})
        return dict(inputs=dict(views=views), data_samples=sample)
