"""The command-line switches that choose how many passes of the derainer a
tool runs per image: one (the default of ``derain()`` and the chains) or
the mirror ensemble (:func:`cpra_mm.models.flip_ensemble_forward`).

Example::

    parser = argparse.ArgumentParser()
    add_derain_pass_arguments(parser, default=False)
    flip_ensemble = parser.parse_args().derain_flip_ensemble
"""
import argparse
from typing import Optional


def add_derain_pass_arguments(parser: argparse.ArgumentParser,
                              default: Optional[bool] = False,
                              default_help: str = 'one pass') -> None:
    """Add ``--derain-flip-ensemble`` and ``--derain-one-pass``, mutually
    exclusive, both setting ``args.derain_flip_ensemble``.

    Args:
        parser: the tool's parser.
        default: ``args.derain_flip_ensemble`` when neither is given: False
            (one pass), True (the ensemble) or None (left to a config).
        default_help: what happens when neither is given, for ``--help``.
    """
    passes = parser.add_mutually_exclusive_group()
    passes.add_argument('--derain-flip-ensemble', dest='derain_flip_ensemble',
                        action='store_const', const=True, default=default,
                        help='run the derainer as its mirror ensemble (the mean of its passes '
                        'on the image and on its left-right mirror), in twice the time '
                        f'(default: {default_help})')
    passes.add_argument('--derain-one-pass', dest='derain_flip_ensemble', action='store_const',
                        const=False, help='run the derainer once per image')
