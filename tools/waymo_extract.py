"""Extract Waymo Open Dataset LiDAR frames to point files and frame records.

Runs in the Waymo environment (``make waymo-env``: tensorflow and
waymo-open-dataset, which cannot share dos_mm's environment) and imports
nothing of dos_mm, mmdet3d or torch:

    .venv-waymo/bin/python tools/waymo_extract.py \
        data/waymo/waymo_format/training data/waymo/kitti_format/training \
        --prefix 0 --workers 8

For every ``*.tfrecord`` (sorted; record i) and every frame j it writes
``velodyne/<prefix><iii><jjj>.bin``: float32 x, y, z (vehicle frame),
intensity, elongation and the point's pixel index in its range image, both
returns of every laser (the point layout of mmdet3d's Waymo converter), and
then ``dos_frames/<prefix><iii>.json`` with one record per frame (sample
index, timestamp, context, ego pose, LiDAR path, labelled boxes). The JSON
is written last and atomically: a record with its JSON is done, and a rerun
skips it. ``tools/create_data.py waymo`` turns the records into mmdet3d's
info files in the main environment.
"""
import argparse
import glob
import json
import multiprocessing
import os
import os.path as osp
import sys

import numpy as np

TYPES = ('UNKNOWN', 'VEHICLE', 'PEDESTRIAN', 'SIGN', 'CYCLIST')


def range_images(frame):
    """{laser: [first, second return MatrixFloat]} and the TOP laser's
    pixel pose. waymo-open-dataset's own parser hands ``bytearray`` to
    protobuf, which the protobuf its wheel installs rejects."""
    import zlib

    from waymo_open_dataset import dataset_pb2

    def parse(blob):
        m = dataset_pb2.MatrixFloat()
        m.ParseFromString(zlib.decompress(blob))
        return m

    ranges, top_pose = {}, dataset_pb2.MatrixFloat()
    for laser in frame.lasers:
        returns = [laser.ri_return1, laser.ri_return2]
        ranges[laser.name] = [
            parse(r.range_image_compressed) for r in returns
            if r.range_image_compressed
        ]
        if laser.name == dataset_pb2.LaserName.TOP and \
                laser.ri_return1.range_image_pose_compressed:
            top_pose = parse(laser.ri_return1.range_image_pose_compressed)
    return {k: v for k, v in ranges.items() if v}, top_pose


def frame_points(frame) -> np.ndarray:
    """(N, 6) float32 points of both returns of every laser of a frame."""
    from waymo_open_dataset.utils import frame_utils
    ranges, top_pose = range_images(frame)
    if not ranges:
        return np.zeros((0, 6), np.float32)
    parts = []
    returns = min(len(v) for v in ranges.values())
    for ri_index in range(returns):
        cart = frame_utils.convert_range_image_to_cartesian(
            frame,
            ranges,
            top_pose,
            ri_index=ri_index,
            keep_polar_features=True)
        for name in sorted(cart):
            image = cart[name].numpy()  # (H, W, 6): r, i, e, x, y, z
            flat = image.reshape(-1, 6)
            index = np.flatnonzero(flat[:, 0] > 0)
            sel = flat[index]
            parts.append(np.c_[sel[:, 3:6], sel[:, 1], sel[:, 2],
                               index.astype(np.float32)])
    return np.concatenate(parts).astype(np.float32)


def frame_record(frame, sample_idx: int, lidar_path: str) -> dict:
    """The JSON record of a frame; boxes as (x, y, bottom z, length, width,
    height, heading) in the vehicle frame."""
    boxes = []
    for obj in frame.laser_labels:
        box = obj.box
        boxes.append(
            dict(
                type=TYPES[obj.type],
                bbox_3d=[
                    box.center_x, box.center_y, box.center_z - box.height / 2,
                    box.length, box.width, box.height, box.heading
                ],
                num_lidar_pts=int(obj.num_lidar_points_in_box),
                track_id=obj.id))
    return dict(
        sample_idx=sample_idx,
        timestamp=int(frame.timestamp_micros),
        context_name=frame.context.name,
        ego2global=np.reshape(np.array(frame.pose.transform), (4, 4)).tolist(),
        lidar_path=lidar_path,
        instances=boxes)


def atomic_write(path: str, data: bytes) -> None:
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def convert_record(job) -> str:
    """Convert one record unless its JSON exists; returns a status line."""
    path, file_idx, prefix, out_dir = job
    done = osp.join(out_dir, 'dos_frames', f'{prefix}{file_idx:03d}.json')
    if osp.isfile(done):
        return f'skip {path}'
    import tensorflow as tf
    from waymo_open_dataset import dataset_pb2
    records = []
    for frame_idx, data in enumerate(
            tf.data.TFRecordDataset(path, compression_type='')):
        frame = dataset_pb2.Frame()
        frame.ParseFromString(bytes(data.numpy()))
        sample_idx = int(f'{prefix}{file_idx:03d}{frame_idx:03d}')
        name = f'{prefix}{file_idx:03d}{frame_idx:03d}.bin'
        atomic_write(
            osp.join(out_dir, 'velodyne', name),
            frame_points(frame).tobytes())
        records.append(frame_record(frame, sample_idx, name))
    atomic_write(
        done,
        json.dumps(dict(source=osp.basename(path), frames=records)).encode())
    return f'done {path}: {len(records)} frames'


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help='folder of *.tfrecord files')
    p.add_argument('out_dir', help='e.g. data/waymo/kitti_format/training')
    p.add_argument(
        '--prefix',
        type=int,
        default=0,
        help='0 training, 1 validation, 2 testing (as mmdet3d)')
    p.add_argument('--workers', type=int, default=4)
    args = p.parse_args(argv)
    records = sorted(glob.glob(osp.join(args.src, '*.tfrecord')))
    if not records:
        print(
            f'error: {args.src}: no *.tfrecord files. Expected the Waymo '
            'download layout data/waymo/waymo_format/{training,'
            'validation}/*.tfrecord',
            file=sys.stderr)
        return 2
    for sub in ('velodyne', 'dos_frames'):
        os.makedirs(osp.join(args.out_dir, sub), exist_ok=True)
    jobs = [(r, i, args.prefix, args.out_dir) for i, r in enumerate(records)]
    if args.workers > 1:
        with multiprocessing.Pool(args.workers) as pool:
            lines = pool.imap_unordered(convert_record, jobs)
            for n, line in enumerate(lines, 1):
                print(f'[{n}/{len(jobs)}] {line}', flush=True)
    else:
        for n, job in enumerate(jobs, 1):
            print(f'[{n}/{len(jobs)}] {convert_record(job)}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
