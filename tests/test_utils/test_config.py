"""dos_mm.utils.config.load_config: bad paths and loader settings."""
import os

import pytest

from dos_mm.utils import load_config
from ..conftest import REPO, TINY_CONFIG, load_tool

DEMO = 'configs/dos/pretrain_demo.py'
DEMO_PATH = str(REPO / DEMO)


def test_a_missing_config_names_the_directory_and_the_repo_path(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # run from another directory
    with pytest.raises(FileNotFoundError) as err:
        load_config(DEMO)
    msg = str(err.value)
    assert f'working directory, {tmp_path}' in msg
    assert f'Fix: give {REPO / DEMO}' in msg
    with pytest.raises(FileNotFoundError, match='check the name'):
        load_config('configs/dos/no_such_config.py')


def test_no_workers_means_no_persistent_workers(mm_log):
    cfg = load_config(DEMO_PATH)
    assert cfg.train_dataloader.persistent_workers  # the config's own
    cfg = load_config(DEMO_PATH, {'train_dataloader.num_workers': 0})
    assert cfg.train_dataloader.persistent_workers is False
    assert 'persistent_workers set to False' in mm_log.text


def test_resume_from_a_missing_file_names_it(tmp_path):
    train = load_tool('train')
    build_cfg, parse_args = train.build_cfg, train.parse_args
    args = parse_args([
        str(TINY_CONFIG), '--work-dir',
        str(tmp_path), '--resume',
        str(tmp_path / 'iter_9.pth')
    ])
    with pytest.raises(SystemExit, match=r'iter_9\.pth: no such file'):
        build_cfg(args)
    assert os.listdir(tmp_path) == []


def test_two_runs_in_one_process_log_into_their_own_folders(tmp_path):
    """mmengine returns an existing visualizer of the same name; without a
    name of its own, the second run's scalars (the online probe's curve)
    went into the first run's folder."""
    from mmengine.runner import Runner
    for name in ('first', 'second'):
        cfg = load_config(str(TINY_CONFIG), work_dir=str(tmp_path / name))
        runner = Runner.from_cfg(cfg)
        runner.visualizer.add_scalars({'probe/miou': 1.0}, step=0)
    for name in ('first', 'second'):
        files = list((tmp_path / name).glob('*/vis_data/scalars.json'))
        assert len(files) == 1, name
        assert files[0].read_text().count('probe/miou') == 1
