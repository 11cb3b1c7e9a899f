# The DOS head of the pretraining model bases (dos_centerpoint_voxel01,
# dos_second_voxelbackbone8x, dos_minkunet): K prototypes, Zipf-Sinkhorn
# targets and the per-scene softmap loss, with the settings of
# docs/method.md. The temperatures and alpha are the values before the
# first iteration; DOSScheduleHook sets them at every iteration.
num_prototypes = 1024  # paper

dos_head = dict(
    type='DOSHead',
    target=dict(
        type='ZipfSinkhornTarget',
        num_prototypes=num_prototypes,
        alpha=1.3,
        num_iters=3),
    loss=dict(type='SoftmapLoss', mode='softmap'),
    teacher_temp=0.04,
    student_temp=0.1)
