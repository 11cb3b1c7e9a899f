"""Write a small Waymo ``.tfrecord`` in the real protobuf format: frames with
a TOP-laser range image (two returns) and labelled boxes. Run in the Waymo
environment by test_waymo.py (the shared fixture's record has no lasers)."""
import sys
import zlib

import numpy as np
import tensorflow as tf
from waymo_open_dataset import dataset_pb2, label_pb2

H, W = 4, 16


def matrix(values: np.ndarray) -> bytes:
    m = dataset_pb2.MatrixFloat()
    m.data.extend(values.astype(np.float32).ravel().tolist())
    m.shape.dims.extend(values.shape)
    return zlib.compress(m.SerializeToString())


def frame(index: int) -> dataset_pb2.Frame:
    rng = np.random.default_rng(index)
    f = dataset_pb2.Frame()
    f.context.name = 'ctx_test'
    f.timestamp_micros = 1_000_000 + index * 100_000
    f.pose.transform.extend(np.eye(4).ravel().tolist())
    cal = f.context.laser_calibrations.add()
    cal.name = dataset_pb2.LaserName.TOP
    cal.beam_inclination_min = -0.3
    cal.beam_inclination_max = 0.05
    cal.extrinsic.transform.extend(np.eye(4).ravel().tolist())
    laser = f.lasers.add()
    laser.name = dataset_pb2.LaserName.TOP
    first = np.zeros((H, W, 4))
    first[..., 0] = rng.uniform(5, 40, (H, W))  # range
    first[0, :4, 0] = -1  # no return at 4 pixels
    first[..., 1] = rng.uniform(0, 1, (H, W))  # intensity
    first[..., 2] = rng.uniform(0, 0.1, (H, W))  # elongation
    second = np.zeros((H, W, 4))
    second[1, 3, :3] = (12.0, 0.5, 0.01)  # one second return
    laser.ri_return1.range_image_compressed = matrix(first)
    laser.ri_return1.range_image_pose_compressed = matrix(np.zeros((H, W, 6)))
    laser.ri_return2.range_image_compressed = matrix(second)
    label = f.laser_labels.add()
    label.box.center_x, label.box.center_y, label.box.center_z = 10, 2, 1
    label.box.length, label.box.width, label.box.height = 4.5, 2.0, 1.6
    label.box.heading = 0.3
    label.type = label_pb2.Label.TYPE_VEHICLE
    label.id = 'car0'
    label.num_lidar_points_in_box = 12
    sign = f.laser_labels.add()  # not one of the three classes
    sign.box.length = sign.box.width = sign.box.height = 0.5
    sign.type = label_pb2.Label.TYPE_SIGN
    sign.num_lidar_points_in_box = 3
    return f


if __name__ == '__main__':
    path, frames = sys.argv[1], int(sys.argv[2])
    with tf.io.TFRecordWriter(path) as writer:
        for i in range(frames):
            writer.write(frame(i).SerializeToString())
    print(f'{path}: {frames} frames of {H * W * 2 - 4 - (H * W - 1)} points')
