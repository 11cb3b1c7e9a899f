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
    # 20 % of 4 scans is one scan; 10 % (0.4 scans) is skipped and logged
    # rather than written as 25 % under a 10 % name
    assert (root / 'semantickitti_infos_train_20pct_seed0.pkl').is_file()
    assert not (root / 'semantickitti_infos_train_10pct_seed0.pkl').exists()
    assert 'label split skipped: a 0.1 split of 4 scans' in \
        again.stdout + again.stderr
    assert not list(root.glob('*.tmp*'))


def test_missing_layout_is_named(tmp_path):
    proc = run(tmp_path)
    assert proc.returncode == 2
    assert 'no sequences/ folder' in proc.stderr


def test_synthetic_folder_is_refused_and_left_as_it_is(tmp_path,
                                                       synthetic_root):
    """Issue 34, case 3: the missing-info advice of a synthetic folder is
    the generator, and create_data refuses such a folder before writing
    (it used to replace its infos by 19 130 official scans without
    boxes)."""
    from mmengine.config import Config

    from dos_mm.utils import info_file_problems
    root = tmp_path / 'synthetic'
    shutil.copytree(synthetic_root, root)
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    proc = run(root)
    assert proc.returncode == 2
    assert 'a synthetic dataset written by tools/generate_synthetic.py' in \
        proc.stderr and 'Nothing was written' in proc.stderr
    after = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    assert after == before
    cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_demo.py'))
    ds = cfg.train_dataloader.dataset
    ds.data_root = str(root) + '/'
    ds.ann_file = 'missing_infos.pkl'
    problem, = info_file_problems(ds)
    assert 'python tools/generate_synthetic.py --out' in problem
    assert 'create_data' not in problem


def test_info_files_it_replaces_are_kept(tmp_path, synthetic_root):
    """Info files written by another tool (no step marker here) are kept
    when the conversion replaces them; unchanged ones leave no copy."""
    root = tmp_path / 'kitti'
    shutil.copytree(synthetic_root / 'sequences', root / 'sequences')
    theirs = b'infos written by another tool'
    (root / 'semantickitti_infos_train.pkl').write_bytes(theirs)
    (root / 'notes.pkl').write_bytes(b'not touched')
    proc = run(root)
    assert proc.returncode == 0, proc.stderr
    kept = list((root / '.dos_prep' / 'previous').glob('*/*.pkl'))
    assert [p.name for p in kept] == ['semantickitti_infos_train.pkl']
    assert kept[0].read_bytes() == theirs
    assert f'[kept] the previous {root}/semantickitti_infos_train.pkl' \
        in proc.stdout
    with open(root / 'semantickitti_infos_train.pkl', 'rb') as f:
        assert len(pickle.load(f)['data_list']) == 19130  # the new one
    again = run(root)  # nothing replaced: nothing more kept
    assert again.returncode == 0
    assert len(list((root / '.dos_prep' / 'previous').rglob('*.pkl'))) == 1
