"""Strip a training checkpoint down to the model weights and its ``meta``.

MMEngine's training checkpoints also hold the optimizer state, the parameter
schedulers and the message hub (about three times the weights for Adam);
the exported file keeps ``{'state_dict': ..., 'meta': ...}`` only, loads
with ``torch.load(weights_only=True)`` and works as ``load_from`` / a test
checkpoint.

Example:
    python tools/export_weights.py \
        work_dirs/shapes_detector/best_coco_bbox_mAP_epoch_60.pth \
        cpra_mm/weights/shapes_detector.pth
"""
import cpra_mm  # noqa: F401  (first: torch >= 2.6 checkpoint allow-list)

import argparse
import os
import os.path as osp
import sys
from numbers import Integral, Real
from typing import Any, Optional, Sequence

import numpy as np
import torch

from cpra_mm.apis.generator_builder import generator_meta
from cpra_mm.utils.derainer_checkpoint import read_checkpoint

DROPPED_META_KEYS = ('hook_msgs',)
"""Training-state entries of ``meta`` that inference never needs."""


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Keep only state_dict and meta of a training checkpoint.')
    parser.add_argument('checkpoint', help='MMEngine training checkpoint (.pth)')
    parser.add_argument('out', help='exported file (.pth)')
    parser.add_argument(
        '--config', help='the MMagic training config: keep only the generator (the derainer) and '
        "record its preset and layout in meta, so init_derainer() needs no config")
    return parser.parse_args(argv)


def derainer_only(exported: dict, config: str) -> dict:
    """Keep the ``generator.`` weights and write the generator's ``preset``,
    ``layout`` and other network arguments (from ``config``'s
    ``model.generator``, :func:`~cpra_mm.apis.generator_builder.generator_meta`)
    into ``meta``.

    The training config's text is dropped from ``meta``: it is not needed to
    rebuild the network and would be code to run.
    """
    from mmengine.config import Config

    generator = Config.fromfile(config).model.get('generator')
    if not generator or generator.get('type') not in ('CPRAformer', 'cpra_mm.CPRAformer'):
        raise ValueError(f'{config} has no CPRAformer model.generator')
    state = {k: v for k, v in exported['state_dict'].items() if k.startswith('generator.')}
    if not state:
        raise ValueError('the checkpoint holds no generator.* weights')
    meta = {k: v for k, v in exported['meta'].items() if k != 'cfg'}
    meta.update(generator_meta(generator))
    return {'state_dict': state, 'meta': meta}


def plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into Python numbers and
    lists, recursively, so the file needs no allow-listed globals."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    return value


def export(checkpoint: dict, source: str) -> dict:
    """The exported form of a loaded checkpoint.

    Raises:
        ValueError: naming ``source``, when it has no ``state_dict`` mapping.
    """
    state = checkpoint.get('state_dict')
    if not isinstance(state, dict):
        raise ValueError(f'{source} has no state_dict mapping (keys: {sorted(checkpoint)})')
    meta = {k: v for k, v in (checkpoint.get('meta') or {}).items()
            if k not in DROPPED_META_KEYS}
    return {'state_dict': {k: v.detach().clone().contiguous() for k, v in state.items()},
            'meta': plain(meta)}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    exported = export(read_checkpoint(args.checkpoint), args.checkpoint)
    if args.config:
        exported = derainer_only(exported, args.config)
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    torch.save(exported, args.out)
    torch.load(args.out, map_location='cpu', weights_only=True)
    print(f'{args.checkpoint} ({osp.getsize(args.checkpoint) / 2**20:.1f} MiB) -> '
          f'{args.out} ({osp.getsize(args.out) / 2**20:.1f} MiB, '
          f'{len(exported["state_dict"])} tensors)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
