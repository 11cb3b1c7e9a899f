"""Convert a DOS pretraining checkpoint for an mmdet3d model.

    python tools/convert_checkpoint.py \
        work_dirs/pretrain_nuscenes/iter_50000.pth \
        checkpoints/dos_centerpoint.pth --target centerpoint [--net student]

Then, in an mmdet3d config: ``load_from = 'checkpoints/dos_centerpoint.pth'``
or ``model = dict(init_cfg=dict(type='Pretrained',
checkpoint='checkpoints/dos_centerpoint.pth'))``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm import converters  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help='DOS checkpoint (tools/train.py output)')
    p.add_argument('dst', help='converted checkpoint to write')
    p.add_argument(
        '--target', required=True, choices=sorted(converters.TARGETS))
    p.add_argument(
        '--net',
        default='teacher',
        choices=sorted(converters.NETS),
        help='which network of DOS (default: the EMA teacher)')
    args = p.parse_args(argv)
    try:
        ckpt = converters.load_dos_checkpoint(args.src)
        state, count = converters.convert_state_dict(ckpt['state_dict'],
                                                     args.target, args.net)
    except (OSError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    meta = dict(
        source=osp.abspath(args.src),
        net=args.net,
        target=args.target,
        iter=ckpt.get('meta', {}).get('iter'))
    converters.save_converted(state, args.dst, meta)
    print(f'{args.dst}: {count} tensors of the {args.net} backbone under '
          f"'{converters.TARGETS[args.target]}.' (from {args.src}, iteration "
          f"{meta['iter']})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
