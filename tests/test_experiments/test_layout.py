"""The experiments wing's place in the house: the library never imports
it, it never imports ``tools/``, it registers nothing, and the command
lines in ``tools/`` stay thin."""
import ast
import subprocess
import sys

from ..conftest import REPO

PACKAGE = REPO / 'dos_mm'
WING = PACKAGE / 'experiments'


def imported_modules(path):
    """Absolute names of the modules a file imports (relative imports
    resolved against its package)."""
    tree = ast.parse(path.read_text())
    package = '.'.join(path.relative_to(REPO).with_suffix('').parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            names.add(base)
            names.update(f'{base}.{a.name}' for a in node.names)
    return names


def test_the_library_never_imports_the_wing():
    offenders = [
        str(p.relative_to(REPO)) for p in PACKAGE.rglob('*.py')
        if WING not in p.parents and any(
            n == 'dos_mm.experiments' or n.startswith('dos_mm.experiments.')
            for n in imported_modules(p))
    ]
    assert offenders == []


def test_the_wing_never_imports_tools():
    tools = {p.stem for p in (REPO / 'tools').glob('*.py')}
    offenders = [(str(p.relative_to(REPO)), n) for p in WING.rglob('*.py')
                 for n in imported_modules(p)
                 if n.split('.')[0] in tools or n.startswith('tools')]
    assert offenders == []


def test_import_dos_mm_leaves_the_wing_out_and_the_wing_registers_nothing():
    code = '''
import sys, pkgutil, importlib
import dos_mm
assert not [m for m in sys.modules if m.startswith('dos_mm.experiments')]
from mmdet3d import registry as r3
from mmengine import registry as re
regs = [getattr(mod, name) for mod in (r3, re) for name in dir(mod)
        if isinstance(getattr(mod, name), re.Registry)]
assert regs
import dos_mm.experiments as wing
for info in pkgutil.iter_modules(wing.__path__):
    importlib.import_module('dos_mm.experiments.' + info.name)
ours = [(name, obj.__module__) for reg in regs
        for name, obj in reg.module_dict.items()
        if getattr(obj, '__module__', '').startswith('dos_mm.experiments')]
assert not ours, f'the wing registered {ours}'
print('ok')
'''
    proc = subprocess.run([sys.executable, '-c', code],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith('ok')


# run where dos_mm cannot be imported (the Waymo environment; before or
# while it is installed), so they stand alone; their tests load them by path
STANDALONE = {'waymo_extract.py', 'check_env.py', 'install_plan.py'}


def test_tools_are_thin_command_lines():
    long = [
        p.name for p in (REPO / 'tools').glob('*.py')
        if len(p.read_text().splitlines()) > 150
    ]
    assert set(long) <= STANDALONE, long
    for p in (REPO / 'tools').glob('*.py'):
        if p.name in STANDALONE:
            assert 'import dos_mm' not in p.read_text() and \
                'from dos_mm' not in p.read_text(), p.name
