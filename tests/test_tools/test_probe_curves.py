"""tools/probe_curves.py: the command line of the curve report."""
import json

from ..conftest import load_tool


def write_scalars(folder, rows):
    folder.mkdir(parents=True)
    with open(folder / 'scalars.json', 'w') as f:
        for row in rows:
            f.write(json.dumps(row) + '\n')


def test_the_tool_names_a_run_without_probe(tmp_path, capsys):
    write_scalars(tmp_path / 'x' / 't' / 'vis_data', [dict(step=1, loss=1)])
    rc = load_tool('probe_curves').main(
        [f'x={tmp_path / "x"}', '--out',
         str(tmp_path / 'out')])
    assert rc == 2
    assert 'no online-probe values logged by x' in capsys.readouterr().err
    assert load_tool('probe_curves').main(['x', '--out', 'o']) == 2
