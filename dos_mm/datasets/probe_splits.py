"""The two sets of labelled scans an online probe reads: one to fit on, one
to score on."""
from mmdet3d.registry import DATASETS
from mmengine.dataset import ConcatDataset

FIT, HELD_OUT = 'fit', 'held_out'


@DATASETS.register_module()
class ProbeSplits(ConcatDataset):
    """``fit`` then ``held_out`` scans as one dataset whose data samples say
    which set they come from (metainfo ``probe_role``: ``'fit'`` or
    ``'held_out'``), so that a metric fed by mmengine's validation loop can
    fit a probe on the first and score it on the second (see
    ``OnlineProbeMetric``). Under distributed evaluation the role travels
    with each sample, whichever process loads it.

    Args:
        fit (dict): config of the labelled scans the probe is fitted on
            (e.g. a label split of the training scans).
        held_out (dict): config of the scans it is scored on (e.g. the
            validation split); same dataset type and classes.
        **kwargs: arguments of mmengine's ``ConcatDataset``.
    """

    def __init__(self, fit: dict, held_out: dict, **kwargs) -> None:
        datasets = [DATASETS.build(fit), DATASETS.build(held_out)]
        for name, dataset in zip((FIT, HELD_OUT), datasets):
            if len(dataset) == 0:
                raise ValueError(
                    f'ProbeSplits: the {name} scans are empty '
                    f"(ann_file {getattr(dataset, 'ann_file', '?')}). Fix: "
                    'point it at an info file with labelled scans')
        kwargs.setdefault('ignore_keys', ['seg_label_mapping'])
        super().__init__(datasets, **kwargs)

    @property
    def num_fit(self) -> int:
        """Scans of the fit set (they come first)."""
        return self.cumulative_sizes[0]

    def __getitem__(self, idx: int) -> dict:
        data = super().__getitem__(idx)
        dataset_idx, _ = self._get_ori_dataset_idx(idx)
        data['data_samples'].set_metainfo(
            dict(probe_role=FIT if dataset_idx == 0 else HELD_OUT))
        return data
