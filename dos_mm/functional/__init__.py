"""Pure maths of DOS: segment reductions, Zipf-Sinkhorn, the softmap loss,
the point-clustering ablation and schedules. No state, no registry. The
composed softmap definition, the tests' oracle, is
:mod:`dos_mm.functional.softmap_reference`."""
from .point_cluster import point_cluster_ce
from .schedules import (cosine_schedule, dos_schedule, dos_schedule_start,
                        linear_warmup)
from .segment import (check_segments, index_count, mean_over_segments,
                      segment_log_softmax, segment_logsumexp, segment_sum)
from .softmap import prototype_softmap_kl
from .zipf_prior import rank_agreement, rank_marginal, usage_ranks, zipf_prior
from .zipf_sinkhorn import (global_assignment_mass, global_column_logsumexp,
                            global_count, uniform_sinkhorn, zipf_sinkhorn)

__all__ = [
    'prototype_softmap_kl', 'point_cluster_ce', 'check_segments',
    'index_count', 'mean_over_segments', 'segment_sum', 'segment_logsumexp',
    'segment_log_softmax', 'zipf_prior', 'usage_ranks', 'rank_marginal',
    'rank_agreement', 'global_assignment_mass', 'global_count',
    'global_column_logsumexp', 'zipf_sinkhorn', 'uniform_sinkhorn',
    'cosine_schedule', 'linear_warmup', 'dos_schedule', 'dos_schedule_start'
]
