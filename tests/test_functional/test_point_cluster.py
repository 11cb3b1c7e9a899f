"""Per-point clustering cross-entropy (the ablation) against oracles."""
import math

import pytest
import torch

from dos_mm.functional import point_cluster_ce, uniform_sinkhorn


def test_point_cluster_ce_golden():
    target_log_q = torch.tensor([[math.log(3.), 0.], [0., 0.],
                                 [0., math.log(3.)]])
    student = torch.tensor([[0., 0.], [math.log(3.), 0.], [0., 0.]])
    seg = torch.tensor([0, 1, 1])
    loss = point_cluster_ce(target_log_q, student, seg, 2)
    # scene 0: ln 2; scene 1: (0.5 ln(16/3) + ln 2) / 2.
    assert loss.item() == pytest.approx(0.729107439616418, rel=1e-6)


def test_point_cluster_ce_matches_oracle(case):
    teacher, student, seg, num_segments = case(seed=2)
    loss = point_cluster_ce(teacher, student, seg, num_segments)
    per_scene = []
    for s in range(num_segments):
        rows = (seg == s).nonzero().flatten().tolist()
        ces = []
        for i in rows:
            t = torch.softmax(teacher[i].double(), 0)
            log_s = torch.log_softmax(student[i].double(), 0)
            ces.append(-(t * log_s).sum().item())
        per_scene.append(sum(ces) / len(ces))
    expected = sum(per_scene) / len(per_scene)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_invalid_inputs():
    gen = torch.Generator().manual_seed(8)
    teacher, student = torch.randn(10, 4, generator=gen), torch.randn(10, 4)
    seg = torch.randint(0, 2, (10, ), generator=gen)
    with pytest.raises(ValueError, match='does not match'):
        point_cluster_ce(uniform_sinkhorn(teacher)[:, :-1], student, seg, 2)
