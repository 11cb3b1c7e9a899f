"""tools/check_env.py names the package, the versions and the fix."""

from ..conftest import load_tool

check_env = load_tool('check_env')


def test_installed_stack_passes():
    assert check_env.check() == []


def test_mismatch_names_found_needed_and_fix():
    reqs = [('torch', 'torch', lambda v: False, '==9.9', 'pip install x'),
            ('no_such_pkg_xyz', 'nosuch', lambda v: True, '>=1',
             'pip install nosuch')]
    problems = check_env.check(reqs)
    assert len(problems) == 2
    assert 'torch: found' in problems[0] and 'needed ==9.9' in problems[0]
    assert 'Fix: pip install x' in problems[0]
    assert 'nosuch: not importable' in problems[1]


def test_version_parsing():
    assert check_env._version_tuple('2.13.0+cpu') == (2, 13, 0)
    assert check_env._version_tuple('1.26.4') < (2, )


def test_cuda_torch_needs_cuda_spconv_alone_and_mmcv_cuda_ops():
    ok = check_env.cuda_problems('12.4', {'spconv-cu124', 'cumm-cu124'}, False,
                                 '12.4')
    assert ok == []
    assert check_env.cuda_problems('', {'spconv'}, True, 'not available') == []
    cpu_spconv = check_env.cuda_problems('12.4', {'spconv', 'cumm'}, True,
                                         '12.4')
    assert len(cpu_spconv) == 1 and 'spconv-cuXXX' in cpu_spconv[0]
    both = check_env.cuda_problems('12.4', {'spconv', 'spconv-cu124'}, False,
                                   '12.4')
    assert len(both) == 1 and "['spconv', 'spconv-cu124']" in both[0]
    no_ops = check_env.cuda_problems('12.4', {'spconv-cu124'}, False,
                                     'not available')
    assert len(no_ops) == 1 and 'without CUDA ops' in no_ops[0]
    assert 'make install' in no_ops[0]
