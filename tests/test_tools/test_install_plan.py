"""The decisions of tools/install.sh for every torch build (stubbed torch
versions: no GPU needed)."""
import subprocess
import sys

import pytest

from ..conftest import REPO, load_tool

install_plan = load_tool('install_plan')


@pytest.mark.parametrize('cuda, wheel', [
    ('', 'spconv==2.3.8'),
    ('11.8', 'spconv-cu118==2.3.8'),
    ('12.0', 'spconv-cu120==2.3.6'),
    ('12.1', 'spconv-cu121==2.3.8'),
    ('12.3', 'spconv-cu121==2.3.8'),
    ('12.4', 'spconv-cu124==2.3.8'),
    ('12.5', 'spconv-cu124==2.3.8'),
    ('12.6', 'spconv-cu126==2.3.8'),
    ('12.8', 'spconv-cu126==2.3.8'),
    ('13.0', 'spconv-cu126==2.3.8'),
])
def test_spconv_wheel_for_each_torch_cuda(cuda, wheel):
    req, note = install_plan.spconv_requirement(cuda)
    assert req == wheel
    if cuda.startswith('13'):
        assert 'not verified' in note


@pytest.mark.parametrize('cuda, match', [('11.7', '11.8 or newer'),
                                         ('14.0', 'CUDA 12.x torch'),
                                         ('twelve', 'cannot read')])
def test_no_fitting_wheel_names_the_fix(cuda, match):
    with pytest.raises(ValueError, match=match):
        install_plan.spconv_requirement(cuda)


def test_other_flavours_are_removed_first():
    others = install_plan.other_flavours('spconv-cu124==2.3.8')
    assert 'spconv' in others and 'cumm' in others
    assert 'spconv-cu120' in others and 'cumm-cu126' in others
    assert 'spconv-cu124' not in others and 'cumm-cu124' not in others
    cpu = install_plan.other_flavours('spconv==2.3.8')
    assert 'spconv' not in cpu and 'cumm' not in cpu
    assert 'spconv-cu124' in cpu


def test_wheel_cache_key_has_torch_build_and_cuda_ops():
    assert install_plan.wheel_key('2.13.0+cpu', '') == \
        'torch-2.13.0+cpu-ops-cpu'
    assert install_plan.wheel_key('2.13.0', '13.0') == \
        'torch-2.13.0-ops-cu130'
    assert install_plan.wheel_key('2.13.0', '12.6') != \
        install_plan.wheel_key('2.13.0', '13.0')


def test_nvcc_must_match_torch_cuda_major():
    out = 'Cuda compilation tools, release 12.6, V12.6.85'
    assert install_plan.check_nvcc('12.4', out) == '12.6'
    assert install_plan.check_nvcc('', '') == 'not needed (CPU torch)'
    with pytest.raises(ValueError, match='none was found'):
        install_plan.check_nvcc('12.4', '')
    with pytest.raises(ValueError, match='nvcc is CUDA 11.8 but torch'):
        install_plan.check_nvcc('12.4', 'release 11.8, V11.8.89')


def test_command_line_answers_and_exit_codes():

    def run(*args):
        return subprocess.run(
            [sys.executable,
             str(REPO / 'tools' / 'install_plan.py'), *args],
            capture_output=True,
            text=True)

    res = run('spconv', '12.4')
    assert res.returncode == 0 and res.stdout.strip() == 'spconv-cu124==2.3.8'
    assert run('spconv', '').stdout.strip() == 'spconv==2.3.8'
    bad = run('nvcc', '12.4', 'release 11.8')
    assert bad.returncode == 2 and 'Fix:' in bad.stderr
    assert run('wheel-key', '2.13.0', '12.6').stdout.strip() == \
        'torch-2.13.0-ops-cu126'
    assert 'cumm' in run('others', '12.6').stdout.split()
