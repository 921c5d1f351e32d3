"""Average the weights of several trained derainers of one network.

Each input is a derainer checkpoint (exported weights from
tools/export_weights.py, or an MMagic training checkpoint): all must hold
the same network (the same ``preset``, ``layout`` and network arguments in
their ``meta``). The output has the layout of tools/export_weights.py
(``generator.`` keys; ``meta`` with the network's arguments and
``averaged_from``: each input's file name and coefficient), so it is a
:func:`cpra_mm.apis.init_derainer` checkpoint and a ``load_from``. The
averaged network is built and loaded before the file is written.
See :mod:`cpra_mm.utils.weight_averaging`.

Example:
    python tools/average_weights.py work_dirs/A/iter_600.pth work_dirs/B/iter_600.pth \
        --out soup.pth                               # the plain mean
    python tools/average_weights.py A.pth B.pth --coefficients 0.75 0.25 --out soup.pth
"""
import cpra_mm  # noqa: F401  (first: torch >= 2.6 checkpoint allow-list)

import argparse
import os
import os.path as osp
import sys
from typing import Optional, Sequence

import torch

from cpra_mm.apis.generator_builder import build_generator, generator_config_from_meta
from cpra_mm.utils.derainer_checkpoint import (GENERATOR_PREFIX, checkpoint_meta,
                                               generator_state_dict, load_generator_weights,
                                               read_checkpoint)
from cpra_mm.utils.weight_averaging import average_state_dicts, averaging_coefficients


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Average the weights of several trained derainers of one network.')
    parser.add_argument('checkpoints', nargs='+',
                        help='two or more derainer checkpoints of the same network')
    parser.add_argument('--out', required=True,
                        help='the averaged weights (.pth); never one of the inputs')
    parser.add_argument('--coefficients', type=float, nargs='+',
                        help='one weight per checkpoint, non-negative, summing to 1 '
                        '(default: the plain mean)')
    return parser.parse_args(argv)


def network_of(checkpoint: dict, source: str) -> dict:
    """The network config recorded in ``checkpoint``'s meta (preset,
    layout, network arguments); a ValueError naming ``source`` if none."""
    meta = checkpoint_meta(checkpoint)
    if meta is None or 'preset' not in meta:
        raise ValueError(f'{source} records no network in its meta (preset, layout): export it '
                         'with tools/export_weights.py --config first')
    return generator_config_from_meta(meta, source)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    inputs = [osp.abspath(path) for path in args.checkpoints]
    if osp.abspath(args.out) in inputs:
        print(f'error: --out {args.out} is one of the inputs', file=sys.stderr)
        return 2
    try:
        coefficients = averaging_coefficients(len(args.checkpoints), args.coefficients)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    try:
        checkpoints = [read_checkpoint(path) for path in args.checkpoints]
        networks = [network_of(checkpoint, path)
                    for checkpoint, path in zip(checkpoints, args.checkpoints)]
        for network, path in zip(networks[1:], args.checkpoints[1:]):
            if network != networks[0]:
                raise ValueError(f'{path} holds {network}, {args.checkpoints[0]} holds '
                                 f'{networks[0]}: only copies of one network can be averaged')
        states = [generator_state_dict(checkpoint, path)
                  for checkpoint, path in zip(checkpoints, args.checkpoints)]
        averaged = average_state_dicts(states, coefficients, args.checkpoints)
        load_generator_weights(build_generator(networks[0]), averaged, args.out)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    meta = {k: v for k, v in networks[0].items() if k != 'type'}
    meta['averaged_from'] = [dict(file=osp.basename(path), coefficient=coefficient)
                             for path, coefficient in zip(args.checkpoints, coefficients)]
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    torch.save({'state_dict': {GENERATOR_PREFIX + k: v for k, v in averaged.items()},
                'meta': meta}, args.out)
    shares = ', '.join(f'{osp.basename(p)} x {c:.3g}'
                       for p, c in zip(args.checkpoints, coefficients))
    print(f'{shares} -> {args.out} ({len(averaged)} tensors)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
