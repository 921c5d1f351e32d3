"""Convert a checkpoint trained with the authors' CPRAformer code (class
``DAIT``, GitHub zs1314/CPRAformer) to cpra_mm's reference layout.

The unused 1x1 convolution of their attention (``linear_2``) is dropped and
their four output scalars ``attn1..attn4`` are stacked; every other tensor is
copied unchanged under its new name (see
``cpra_mm/models/official_checkpoint.py`` for the whole mapping). The result
is loaded into ``CPRAformer(preset, layout='reference')`` with
``strict=True`` before it is written, so a converted file always loads.

Example::

    python tools/convert_official_ckpt.py their_model_best.pth \\
        work_dirs/cpraformer_paper_from_official.pth --preset paper
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

import torch

from cpra_mm.models import PRESETS, CPRAformer
from cpra_mm.models.official_checkpoint import convert_official_state_dict
from cpra_mm.utils.derainer_checkpoint import read_checkpoint, unwrap_state_dict


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help="the authors' checkpoint (.pth)")
    parser.add_argument('dst', help='where to write the converted checkpoint')
    parser.add_argument('--preset', default='paper', choices=sorted(PRESETS),
                        help='size of the network the checkpoint was trained with')
    parser.add_argument('--mmagic', action='store_true',
                        help="write an MMagic-style checkpoint ('generator.' keys)")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.src):
        print(f'error: {args.src} does not exist', file=sys.stderr)
        return 2
    if osp.abspath(args.src) == osp.abspath(args.dst):
        print('error: dst must differ from src (the source is never overwritten)', file=sys.stderr)
        return 2
    try:
        state = convert_official_state_dict(unwrap_state_dict(read_checkpoint(args.src)))
        model = CPRAformer(args.preset, layout='reference')
        model.load_state_dict(state, strict=True)
    except (ValueError, RuntimeError, OSError) as err:
        print(f'error: cannot convert {args.src}: {err}', file=sys.stderr)
        return 1
    if args.mmagic:
        state = {f'generator.{k}': v for k, v in state.items()}
    meta = dict(preset=args.preset, layout='reference', converted_from=osp.basename(args.src))
    torch.save(dict(meta=meta, state_dict=state), args.dst)
    print(f'wrote {args.dst}: {sum(v.numel() for v in state.values() if v.is_floating_point()):,} '
          f'values, preset {args.preset!r}, layout reference')
    return 0


if __name__ == '__main__':
    sys.exit(main())
