"""The report of tools/benchmark_speed.py: its targets and its tables."""
from typing import Dict

TARGETS = dict(
    step_time_ratio=1.6,
    target_share_cpu=0.10,
    target_share_cuda=0.05,
    peak_memory_ratio=1.5,
    pipeline_ms_per_scan=25.0)


PART_LABELS = dict(
    targets='`DOSHead.targets`',
    sinkhorn='Zipf-Sinkhorn',
    loss_call='`SoftmapLoss` calls',
    softmaps='softmaps, KL and logit gradients',
    matching='`DOS.match_views`')


def to_markdown(r: Dict) -> str:
    """Tables of a :mod:`tools/benchmark_speed.py` result; what each figure
    means is in that tool's docstring and the README."""
    share_target = TARGETS['target_share_cuda' if r['device'] !=
                           'cpu' else 'target_share_cpu']
    rows = [
        ('step time DOS / supervised', r['step_time_ratio'],
         TARGETS['step_time_ratio'], '{:.2f}'),
        ('target generation share of the DOS step', r['target_share'],
         share_target, '{:.1%}'),
        ('peak memory DOS / supervised', r['peak_memory_ratio'],
         TARGETS['peak_memory_ratio'], '{:.2f}'),
        ('pipeline ms per scan (1 core)', r['pipeline_ms_per_scan'],
         TARGETS['pipeline_ms_per_scan'], '{:.1f}'),
    ]
    st, mem = r['steps'], r['memory']
    lines = [
        f"Device: {r['device']}, {r['threads']} threads; {r['config']}, "
        f"{r['batch']} scans x {r['points_per_scan']} points.", '',
        '| figure | measured | target | met |', '|---|---|---|---|'
    ]
    for name, value, target, fmt in rows:
        met = 'yes' if value <= target else 'no'
        lines.append(f'| {name} | {fmt.format(value)} | <= '
                     f'{fmt.format(target)} | {met} |')
    lines += ['', '| step | s | scans/s | peak MB |', '|---|---|---|---|']
    for key, label in (('dos', 'DOS'), ('supervised', 'supervised'),
                       ('passes', 'network passes alone')):
        if f'{key}_s' in st:
            lines.append(f"| {label} | {st[f'{key}_s']:.2f} | "
                         f"{r['batch'] / st[f'{key}_s']:.2f} | "
                         f"{mem.get(f'{key}_mb', float('nan')):.0f} |")
    if 'floor_step_time_ratio' in r:
        lines += [
            '', '| network passes alone / supervised | DOS / network passes '
            'alone |', '|---|---|', f"| {r['floor_step_time_ratio']:.2f} | "
            f"{r['dos_over_floor']:.2f} |"
        ]
    if 'profiled_s' in st:
        lines += [
            '', f"| part of the profiled DOS step ({st['profiled_s']:.2f} s) "
            '| s | share |', '|---|---|---|'
        ]
        for part, label in PART_LABELS.items():
            lines.append(f"| {label} | {st[f'{part}_s']:.3f} | "
                         f"{st[f'{part}_s'] / st['profiled_s']:.1%} |")
    var = r.get('projector_variant')
    if var:
        lines += [
            '', '| projector hidden | step time ratio | network passes alone '
            '/ supervised | peak memory ratio | target share | DOS step s | '
            'DOS MB |', '|---|---|---|---|---|---|---|',
            f"| {var['projector_hidden']} | {var['step_time_ratio']:.2f} | "
            f"{var.get('floor_step_time_ratio', float('nan')):.2f} | "
            f"{var['peak_memory_ratio']:.2f} | {var['target_share']:.1%} | "
            f"{var['steps']['dos_s']:.2f} | {var['dos_mb']:.0f} |"
        ]
    if r.get('backbones'):
        lines += [
            '', '| backbone (config) | DOS step s | supervised step s | '
            'DOS / supervised | DOS MB |', '|---|---|---|---|---|'
        ]
        lines += [
            f"| {b['backbone']} ({b['config']}) | {b['dos_s']:.2f} | "
            f"{b['supervised_s']:.2f} | {b['step_time_ratio']:.2f} | "
            f"{b['dos_mb']:.0f} |" for b in r['backbones']
        ]
    lines += ['', '| cells | K | target + loss (ms) |', '|---|---|---|']
    lines += [
        f"| {s['cells']} | {s['prototypes']} | {s['ms']:.1f} |"
        for s in r['scaling']
    ]
    return '\n'.join(lines)


__all__ = ['to_markdown', 'TARGETS', 'PART_LABELS']
