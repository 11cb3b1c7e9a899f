"""Info files are checked before the runner starts, with the fix named."""
import pickle

import pytest
from mmengine.config import Config

from dos_mm.utils import check_info_files, info_file_problems
from ..conftest import REPO


def joint_config(tmp_path):
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_joint_outdoor.py'))
    for part in cfg.train_dataloader.dataset.datasets:
        part.data_root = str(tmp_path) + '/'
    return cfg


def test_missing_info_files_name_the_command(tmp_path):
    problems = info_file_problems(
        joint_config(tmp_path).train_dataloader.dataset)
    assert len(problems) == 2  # both parts of the ConcatDataset
    assert 'nuscenes_infos_train.pkl: info file not found' in problems[0]
    assert 'python tools/create_data.py nuscenes' in problems[0]
    assert 'python tools/create_data.py waymo' in problems[1]
    with pytest.raises(FileNotFoundError, match='waymo_infos_train.pkl'):
        check_info_files(joint_config(tmp_path))


def test_corrupt_and_old_info_files(tmp_path):
    (tmp_path / 'nuscenes_infos_train.pkl').write_bytes(b'\x80\x04trunc')
    with open(tmp_path / 'waymo_infos_train.pkl', 'wb') as f:
        pickle.dump([dict(point_cloud=1)], f)  # mmdet3d 1.0 format
    with pytest.raises(ValueError) as err:
        check_info_files(joint_config(tmp_path))
    assert 'nuscenes_infos_train.pkl: unreadable info file' in str(err.value)
    assert "waymo_infos_train.pkl: not an mmdet3d v2 info file" in \
        str(err.value)


def test_good_files_and_absent_splits_pass(tmp_path, synthetic_root):
    cfg = Config.fromfile(str(REPO / 'tests/data/configs/dos_tiny.py'))
    cfg.train_dataloader.dataset.data_root = str(synthetic_root) + '/'
    check_info_files(cfg)
    check_info_files(cfg, 'val_dataloader')  # None in pretraining configs
