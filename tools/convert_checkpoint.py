"""Convert a DOS pretraining checkpoint for an mmdet3d or OpenPCDet model.

    python tools/convert_checkpoint.py \
        work_dirs/pretrain_nuscenes/iter_50000.pth \
        checkpoints/dos_centerpoint.pth --target centerpoint [--net student]

    # OpenPCDet (CenterPoint, SECOND, PV-RCNN: --pretrained_model)
    python tools/convert_checkpoint.py \
        work_dirs/pretrain_nuscenes/iter_50000.pth \
        checkpoints/dos_pcdet_res3d.pth --target openpcdet --input-channels 5

    # the other way: an OpenPCDet detector's backbone for mmdet3d
    python tools/convert_checkpoint.py pcdet_ckpt.pth \
        checkpoints/pcdet_backbone.pth --from-openpcdet --target centerpoint

mmdet3d: ``model = dict(init_cfg=dict(type='BackbonePretrained',
checkpoint=..., prefix='pts_middle_encoder'))`` (or ``'backbone'`` for
MinkUNet). OpenPCDet: ``tools/train.py --cfg_file ... --pretrained_model
checkpoints/dos_pcdet_res3d.pth``.
"""
import argparse
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from dos_mm import __version__, converters  # noqa: E402
from dos_mm.converters.openpcdet import BACKBONES  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument(
        'src',
        help='DOS checkpoint (tools/train.py output), or '
        'an OpenPCDet checkpoint with --from-openpcdet')
    p.add_argument('dst', help='converted checkpoint to write')
    p.add_argument(
        '--target',
        required=True,
        choices=sorted(converters.TARGETS) + ['openpcdet'])
    p.add_argument(
        '--net',
        default='teacher',
        choices=sorted(converters.NETS),
        help='which network of DOS (default: the EMA teacher)')
    p.add_argument(
        '--openpcdet-backbone',
        choices=BACKBONES,
        help='OpenPCDet backbone class (default: from the structure)')
    p.add_argument(
        '--input-channels',
        type=int,
        help="point channels of the OpenPCDet config (nuScenes / Waymo 5, "
        'KITTI 4): refused when the backbone takes another number')
    p.add_argument(
        '--from-openpcdet',
        action='store_true',
        help='src is an OpenPCDet checkpoint; writes its backbone for '
        '--target centerpoint')
    return p.parse_args(argv)


def _read_openpcdet(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such checkpoint file')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as exc:
        raise ValueError(f'{path}: cannot be read as a torch checkpoint '
                         f'({exc!r:.200}). Fix: copy it again') from exc
    if not isinstance(ckpt, dict) or 'model_state' not in ckpt:
        raise ValueError(f"{path}: not an OpenPCDet checkpoint (no "
                         "'model_state'). Fix: pass a checkpoint written by "
                         "OpenPCDet's tools/train.py")
    return ckpt['model_state']


def convert(args) -> str:
    """Write ``args.dst``; returns the line to print."""
    converters.check_output_path(args.src, args.dst)
    backbone = args.openpcdet_backbone
    if args.from_openpcdet:
        if args.target != 'centerpoint':
            raise ValueError('--from-openpcdet writes a CenterPoint backbone:'
                             ' use --target centerpoint')
        state = converters.openpcdet_to_centerpoint(
            _read_openpcdet(args.src), backbone)
        meta = dict(
            source=osp.abspath(args.src),
            target='centerpoint',
            source_format='openpcdet')
        converters.save_converted(state, args.dst, meta)
        return (f'{args.dst}: {len(state)} tensors of the OpenPCDet backbone'
                f" under '{converters.TARGETS['centerpoint']}.' (from "
                f'{args.src})')
    ckpt = converters.load_dos_checkpoint(args.src)
    meta = dict(
        source=osp.abspath(args.src),
        net=args.net,
        target=args.target,
        iter=ckpt.get('meta', {}).get('iter'))
    if args.target == 'openpcdet':
        state = converters.dos_to_openpcdet(ckpt['state_dict'], args.net,
                                            backbone, args.input_channels)
        converters.atomic_save(
            dict(
                model_state=state,
                version=f'dos_mm {__version__}',
                dos_mm=meta), args.dst)
        return (f'{args.dst}: {len(state)} tensors of the {args.net} '
                "backbone as OpenPCDet's backbone_3d (from "
                f"{args.src}, iteration {meta['iter']})")
    state, count = converters.convert_state_dict(ckpt['state_dict'],
                                                 args.target, args.net)
    converters.save_converted(state, args.dst, meta)
    return (f'{args.dst}: {count} tensors of the {args.net} backbone under '
            f"'{converters.TARGETS[args.target]}.' (from {args.src}, "
            f"iteration {meta['iter']})")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        print(convert(args))
    except (OSError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
