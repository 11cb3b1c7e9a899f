"""``import dos_mm`` must not import or configure matplotlib itself.

mmdet3d already imports ``matplotlib.pyplot`` when its ``structures`` and
``models`` packages load (through ``mmdet.utils``), so the test imports those
first and then asserts that loading dos_mm adds no matplotlib module and
leaves the backend as it found it.
"""
import subprocess
import sys

PROBE = """
import sys
import mmdet3d.datasets, mmdet3d.models, mmdet3d.structures  # noqa: F401
import matplotlib
backend = matplotlib.get_backend()
before = {m for m in sys.modules if m.split('.')[0] == 'matplotlib'}
import dos_mm  # noqa: F401
after = {m for m in sys.modules if m.split('.')[0] == 'matplotlib'}
print(sorted(after - before))
print(matplotlib.get_backend() == backend)
"""


def test_import_dos_mm_adds_no_matplotlib_module():
    done = subprocess.run([sys.executable, '-c', PROBE], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    new_modules, same_backend = done.stdout.strip().splitlines()[-2:]
    assert new_modules == '[]', f'dos_mm imported {new_modules}'
    assert same_backend == 'True'


def _module_level_imports(tree):
    """Names imported by statements outside any function body."""
    import ast
    names = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        stack.extend(ast.iter_child_nodes(node))
    return names


def test_no_dos_mm_module_imports_matplotlib_at_module_level():
    """mmdet3d's own pyplot import would hide one of ours from the runtime
    probe above, so every module is also read for a top-level import."""
    import ast
    from pathlib import Path

    import dos_mm
    root = Path(dos_mm.__file__).parent
    offenders = []
    for path in sorted(root.rglob('*.py')):
        tree = ast.parse(path.read_text(), filename=str(path))
        offenders += [f'{path.relative_to(root)}: {name}'
                      for name in _module_level_imports(tree)
                      if name.split('.')[0] in ('matplotlib', 'seaborn')]
    assert not offenders, offenders
