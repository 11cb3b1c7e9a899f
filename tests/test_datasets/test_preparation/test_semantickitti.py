"""tools/create_data.py semantickitti: mmdet3d's infos, checked against the
scans on disk; rerunning skips the finished step."""
import pickle
import shutil
import subprocess
import sys

from ...conftest import REPO


def run(root, *extra):
    return subprocess.run([
        sys.executable,
        str(REPO / 'tools/create_data.py'), 'semantickitti', '--root-path',
        str(root), *extra
    ],
                          capture_output=True,
                          text=True)


def test_partial_copy_is_reported_then_dropped(tmp_path, synthetic_root):
    root = tmp_path / 'kitti'
    shutil.copytree(synthetic_root / 'sequences', root / 'sequences')
    first = run(root)
    assert first.returncode == 0, first.stderr
    # mmdet3d lists the official 19130 training scans; 4 are here
    assert 'semantickitti_infos_train.pkl: 19130 samples, 19126 ' \
        'unreadable' in first.stdout
    again = run(root, '--drop-bad', '--label-splits')
    assert again.returncode == 0, again.stderr
    assert '[skip] semantickitti_infos' in again.stdout
    with open(root / 'semantickitti_infos_train.pkl', 'rb') as f:
        kept = pickle.load(f)['data_list']
    assert [d['lidar_points']['lidar_path'] for d in kept
            ] == [f'sequences/00/velodyne/00000{i}.bin' for i in range(4)]
    assert (root / 'semantickitti_infos_train.pkl.orig').is_file()
    assert (root / 'semantickitti_infos_train_10pct_seed0.pkl').is_file()
    assert not list(root.glob('*.tmp*'))


def test_missing_layout_is_named(tmp_path):
    proc = run(tmp_path)
    assert proc.returncode == 2
    assert 'no sequences/ folder' in proc.stderr
