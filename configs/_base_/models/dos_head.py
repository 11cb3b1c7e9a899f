# The DOS head of the pretraining model bases (dos_centerpoint_voxel01,
# dos_second_voxelbackbone8x, dos_minkunet): K prototypes, Zipf-Sinkhorn
# targets and the per-scene softmap loss, with the settings of
# docs/method.md. tau_T and alpha are scheduled: the model's `schedule`
# (defaults in dos_mm.functional.dos_schedule) states them.
num_prototypes = 1024  # paper

dos_head = dict(
    type='DOSHead',
    target=dict(
        type='ZipfSinkhornTarget',
        num_prototypes=num_prototypes,
        num_iters=3),
    loss=dict(type='SoftmapLoss', mode='softmap'),
    student_temp=0.1)
