"""The forward pass a trained derainer runs at inference: the network,
optionally as a mirror ensemble, optionally under streak alignment."""
from functools import partial
from typing import Callable

import torch

from .flip_ensemble import flip_ensemble_forward
from .streak_alignment import streak_aligned_forward

Forward = Callable[[torch.Tensor], torch.Tensor]


def inference_forward(network: Forward, align_streaks: bool = True,
                      flip_ensemble: bool = False) -> Forward:
    """``network`` wrapped as :func:`cpra_mm.apis.derain` and
    :class:`cpra_mm.downstream.DerainStage` run it.

    Args:
        network: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same.
        align_streaks: derain steeply slanted rain on a sheared copy
            (:func:`streak_aligned_forward`).
        flip_ensemble: make every network call the mean of the network on
            the images and on their left-right mirror
            (:func:`flip_ensemble_forward`; twice the network's time);
            streak alignment, when on, wraps the ensemble. Off by default:
            the built-in derainer meets its targets in one pass
            (``cpra_mm/weights/README.md``).

    Returns:
        A callable with ``network``'s signature.
    """
    forward = partial(flip_ensemble_forward, network) if flip_ensemble else network
    return partial(streak_aligned_forward, forward) if align_streaks else forward
