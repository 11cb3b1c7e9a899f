"""The spconv CPU benchmark (tools/benchmark_spconv_cpu.py) on a tiny
setting."""
import json

from ..conftest import TINY_CONFIG


def test_exact_modes_agree_and_rerun_identically(tmp_path):
    from spconv.pytorch import ops

    from dos_mm.experiments.spconv_cpu_benchmark import main
    out = tmp_path / 'spconv.json'
    assert main([
        '--config',
        str(TINY_CONFIG), '--threads', '2', '--repeats', '2', '--points',
        '4000', '--out',
        str(out)
    ]) == 0
    result = json.loads(out.read_text())
    assert set(
        result['modes']) == {'dos_mm', 'spconv_1_thread', 'spconv_n_threads'}
    diff = result['dos_mm_vs_spconv_1_thread']
    assert diff['features'] == 0.0
    assert diff['weight_grad'] <= 1e-5 * result['weight_grad_scale']
    for mode in ('dos_mm', 'spconv_1_thread'):
        assert result['modes'][mode]['rerun_max_diff_features'] == 0.0
        assert result['modes'][mode]['rerun_max_diff_weight_grad'] == 0.0
    # the run leaves dos_mm's patch in place
    assert getattr(ops.indice_conv, '_dos_mm_original', None) is not None
