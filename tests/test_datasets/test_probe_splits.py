"""ProbeSplits and SyntheticSegDataset: the online probe's labelled scans."""
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.datasets import ProbeSplits, SyntheticSegDataset
from dos_mm.datasets.synthetic import CLASSES, RAW_TO_INDEX
from ..conftest import REPO

# the probe configs' own pipeline
PIPELINE = Config.fromfile(
    str(REPO / 'configs/_base_/datasets/semantickitti_probe_pipeline.py')
).probe_pipeline


def scans(root, ann_file, **kwargs):
    return dict(
        type='SyntheticSegDataset',
        data_root=str(root) + '/',
        ann_file=ann_file,
        pipeline=PIPELINE,
        test_mode=True,
        **kwargs)


def test_every_synthetic_class_is_kept(synthetic_root):
    init_default_scope('mmdet3d')
    cfg = scans(synthetic_root, 'semantickitti_infos_train.pkl')
    cfg.pop('type')
    data = SyntheticSegDataset(**cfg)[0]
    mask = data['data_samples'].gt_pts_seg.pts_semantic_mask.numpy()
    path = data['data_samples'].lidar_path.replace('velodyne', 'labels')
    raw = np.fromfile(path.replace('.bin', '.label'), np.uint32) & 0xFFFF
    expected = np.array([RAW_TO_INDEX.get(int(r), len(CLASSES)) for r in raw])
    np.testing.assert_array_equal(mask, expected)
    # SemanticKITTI's own mapping would fold these into the ignore index
    assert set(RAW_TO_INDEX) - set(range(100)), 'classes beyond SemKITTI'
    assert SyntheticSegDataset.METAINFO['classes'][
        RAW_TO_INDEX[101]] == 'traffic-cone'


def test_roles_follow_the_sample_whichever_index(synthetic_root):
    init_default_scope('mmdet3d')
    data = ProbeSplits(
        fit=scans(synthetic_root, 'semantickitti_infos_train.pkl', indices=3),
        held_out=scans(synthetic_root, 'semantickitti_infos_val.pkl'))
    assert (len(data), data.num_fit) == (5, 3)
    roles = [data[i]['data_samples'].probe_role for i in range(len(data))]
    assert roles == ['fit'] * 3 + ['held_out'] * 2
    assert data.metainfo['classes'] == SyntheticSegDataset.METAINFO['classes']


def test_an_empty_set_is_named(synthetic_root):
    init_default_scope('mmdet3d')
    with pytest.raises(ValueError, match='held_out scans are empty'):
        ProbeSplits(
            fit=scans(synthetic_root, 'semantickitti_infos_train.pkl'),
            held_out=scans(
                synthetic_root, 'semantickitti_infos_val.pkl', indices=[]))
