# What an online probe reads of a labelled SemanticKITTI-layout scan
# (SemanticKITTI, the synthetic scans): points and point labels, mapped by
# the dataset's seg_label_mapping.
probe_pipeline = [
    dict(type='CheckedLoadPointsFromFile', coord_type='LIDAR', load_dim=4,
         use_dim=4),
    dict(type='LoadAnnotations3D', with_bbox_3d=False, with_label_3d=False,
         with_seg_3d=True, seg_3d_dtype='np.int32', seg_offset=2**16,
         dataset_type='semantickitti'),
    dict(type='PointSegClassMapping'),
    dict(type='Pack3DDetInputs', keys=['points', 'pts_semantic_mask'],
         meta_keys=['lidar_path', 'sample_idx']),
]
