"""Grow a trained derainer into a deeper network that computes the same
thing, to train further as ``load_from``.

The deeper network is the ``model.generator`` of ``--config`` (e.g. a
config with ``preset='small_deep'``); the blocks the trained network lacks
start as the identity (cpra_mm/models/depth_growth.py). The file written has
the layout of tools/export_weights.py (``generator.`` keys, ``meta`` with
``preset``, ``layout``, the config's other network arguments and
``grown_from``), so it is a ``load_from`` and
:func:`cpra_mm.apis.init_derainer` checkpoint.

Example:
    python tools/grow_weights.py \
        work_dirs/cpraformer_small-..._stage20-multi-scale-strong-streaks/iter_600.pth \
        work_dirs/EXP/grown_init.pth --config configs/cpraformer/EXP.py
"""
import cpra_mm  # noqa: F401  (first: torch >= 2.6 checkpoint allow-list)

import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

import torch

from cpra_mm.apis.generator_builder import (build_generator, generator_config_from_config,
                                            generator_meta)
from cpra_mm.models.depth_growth import blocks_per_level, grown_state_dict
from cpra_mm.utils.derainer_checkpoint import (generator_state_dict, read_checkpoint,
                                               save_generator_weights)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Grow a trained CPRAformer into the deeper network of a config; the new '
        'blocks start as the identity.')
    parser.add_argument('checkpoint', help='the trained network (training checkpoint or '
                        'exported weights)')
    parser.add_argument('out', help='the grown weights (.pth); never the input')
    parser.add_argument('--config', required=True,
                        help='config whose model.generator is the deeper network')
    parser.add_argument('--check-size', type=int, default=64,
                        help='side of the random image on which the grown network is checked '
                        'to compute what the trained one does (default: 64)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if osp.abspath(args.out) == osp.abspath(args.checkpoint):
        print(f'error: out {args.out} is the input checkpoint', file=sys.stderr)
        return 2
    try:
        generator = generator_config_from_config(args.config)
        source = generator_state_dict(read_checkpoint(args.checkpoint), args.checkpoint)
        target = build_generator(generator).eval()
        state = grown_state_dict(source, target, source_name=args.checkpoint)
        trained = build_generator(dict(generator, **_depth_of(source))).eval()
        trained.load_state_dict(source, strict=True)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    target.load_state_dict(state, strict=True)
    image = torch.rand(1, 3, args.check_size, args.check_size,
                       generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        difference = (target(image) - trained(image)).abs().max().item()
    if difference > 1e-5:
        print(f'error: the grown network differs from {args.checkpoint} by {difference:.2e}',
              file=sys.stderr)
        return 1
    save_generator_weights(args.out, state, dict(generator_meta(generator),
                                                grown_from=osp.basename(args.checkpoint)))
    before, after = blocks_per_level(source), blocks_per_level(state)
    grown = ', '.join(f'{level} {before[level]} -> {after[level]}' for level in before
                      if before[level] != after[level])
    print(f'{args.checkpoint} -> {args.out}: {grown}; same output (max difference '
          f'{difference:.1e} on a random {args.check_size} x {args.check_size} image)')
    return 0


def _depth_of(state: dict) -> dict:
    """The ``num_blocks`` and ``num_refinement_blocks`` of the network
    ``state`` belongs to (CPRAformer's size arguments override its preset)."""
    counts = blocks_per_level(state)
    return dict(num_blocks=tuple(counts[level] for level in
                                 ('encoder_level1', 'encoder_level2', 'encoder_level3', 'latent')),
                num_refinement_blocks=counts['refinement'])


if __name__ == '__main__':
    sys.exit(main())
