"""Average the weights of several trained derainers of one network.

Each input is a derainer checkpoint: exported weights (tools/export_weights.py
--config, tools/grow_weights.py, an earlier average), whose ``meta`` records
the network (``preset``, ``layout``, network arguments), or an MMagic
training checkpoint, which does not and takes its network from ``--config``.
All must hold the same network, and so must ``--config`` when given. The
output has the layout of tools/export_weights.py (``generator.`` keys;
``meta`` with the network's arguments and ``averaged_from``: each input's
path as given, since training checkpoints share names like
``iter_600.pth``, and its coefficient), so it is a
:func:`cpra_mm.apis.init_derainer` checkpoint and a ``load_from``. The
averaged network is built and loaded before the file is written. See
:mod:`cpra_mm.utils.weight_averaging`.

Example:
    python tools/average_weights.py work_dirs/A/iter_600.pth work_dirs/B/iter_600.pth \
        --config configs/cpraformer/A.py --out soup.pth      # the plain mean
    python tools/average_weights.py A.pth B.pth --coefficients 0.75 0.25 --out soup.pth
"""
import cpra_mm  # noqa: F401  (first: torch >= 2.6 checkpoint allow-list)

import argparse
import os.path as osp
import sys
from typing import Any, Dict, Optional, Sequence

from cpra_mm.apis.generator_builder import (build_generator, generator_config_from_config,
                                            generator_config_from_meta, generator_meta)
from cpra_mm.utils.derainer_checkpoint import (checkpoint_meta, generator_state_dict,
                                               load_generator_weights, read_checkpoint,
                                               save_generator_weights)
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
    parser.add_argument('--config',
                        help='the config the inputs were trained with: the network of '
                        'training checkpoints, whose meta does not record it')
    return parser.parse_args(argv)


def network_of(checkpoint: dict, source: str,
               configured: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """What ``meta`` records of ``checkpoint``'s network
    (:func:`~cpra_mm.apis.generator_builder.generator_meta`): its own
    record, or ``configured`` (``--config``'s) when it has none."""
    meta = checkpoint_meta(checkpoint)
    if (meta is None or 'preset' not in meta) and configured is not None:
        return configured
    return generator_meta(generator_config_from_meta(meta, source))


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
        configured = (generator_meta(generator_config_from_config(args.config))
                      if args.config else None)
        checkpoints = [read_checkpoint(path) for path in args.checkpoints]
        networks = [(path, network_of(checkpoint, path, configured))
                    for checkpoint, path in zip(checkpoints, args.checkpoints)]
        if configured is not None:
            networks.insert(0, (args.config, configured))
        reference, network = networks[0]
        for path, other in networks[1:]:
            if other != network:
                raise ValueError(f'{path} holds {other}, {reference} holds {network}: only '
                                 'copies of one network can be averaged')
        states = [generator_state_dict(checkpoint, path)
                  for checkpoint, path in zip(checkpoints, args.checkpoints)]
        averaged = average_state_dicts(states, coefficients, args.checkpoints)
        load_generator_weights(build_generator(generator_config_from_meta(network, reference)),
                               averaged, args.out)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    averaged_from = [dict(file=path, coefficient=coefficient)
                     for path, coefficient in zip(args.checkpoints, coefficients)]
    save_generator_weights(args.out, averaged, dict(network, averaged_from=averaged_from))
    shares = ', '.join(f'{osp.basename(p)} x {c:.3g}'
                       for p, c in zip(args.checkpoints, coefficients))
    print(f'{shares} -> {args.out} ({len(averaged)} tensors)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
