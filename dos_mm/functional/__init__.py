"""Pure maths of DOS: segment reductions, Zipf-Sinkhorn, softmaps, losses
and schedules. No state, no registry."""
from .schedules import cosine_schedule, linear_warmup
from .segment import (check_segments, index_count, segment_log_softmax,
                      segment_logsumexp, segment_sum)
from .softmap import (point_cluster_ce, prototype_softmap_kl, scene_softmap_kl,
                      softmap_kl, student_log_softmaps, target_softmaps)
from .zipf_prior import rank_agreement, rank_marginal, usage_ranks, zipf_prior
from .zipf_sinkhorn import (global_assignment_mass, global_column_logsumexp,
                            global_count, uniform_sinkhorn, zipf_sinkhorn)

__all__ = [
    'scene_softmap_kl', 'prototype_softmap_kl', 'check_segments',
    'index_count', 'segment_sum', 'segment_logsumexp', 'segment_log_softmax',
    'zipf_prior', 'usage_ranks', 'rank_marginal', 'rank_agreement',
    'global_assignment_mass', 'global_count', 'global_column_logsumexp',
    'zipf_sinkhorn', 'uniform_sinkhorn', 'target_softmaps',
    'student_log_softmaps', 'softmap_kl', 'point_cluster_ce',
    'cosine_schedule', 'linear_warmup'
]
