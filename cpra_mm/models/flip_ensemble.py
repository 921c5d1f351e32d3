"""Mirror ensemble: derain an image and its left-right mirror, and average.

A derainer's mistakes depend on where things are: how a streak falls on the
network's downsampling grid and attention windows, which side of an edge
it lies on. Mirroring the image left to right moves every pixel to another
place on that grid and reverses the slant of every streak, while the
scene stays a plausible photograph with plausible rain, so the network's
second answer is about as good as its first and its errors are partly
different ones. Their average keeps what both agree on (the rain removed,
the scene kept) and halves what only one of them does: the faint dark traces
a network can leave where it removed a streak, the texture one pass
mistakes for rain. It costs a second pass of the network.

A top-bottom mirror is not used: it turns the scene upside down (sky at
the bottom, rain lit from below), which the network never saw in training.

Everything is plain PyTorch on ``B x 3 x H x W`` float RGB in [0, 1].
"""
from typing import Callable

import torch


def flip_ensemble_forward(derainer: Callable[[torch.Tensor], torch.Tensor],
                          images: torch.Tensor) -> torch.Tensor:
    """Average ``derainer`` on ``images`` and on their left-right mirror.

    Args:
        derainer: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same.
        images: ``B x 3 x H x W`` float RGB in [0, 1].

    Returns:
        ``B x 3 x H x W``: the mean of ``derainer(images)`` and
        ``derainer(images mirrored)`` mirrored back, in the dtype of
        ``derainer``'s output (in [0, 1] when both outputs are).
    """
    plain = derainer(images)
    mirrored = derainer(images.flip(-1)).flip(-1)
    return (plain + mirrored) / 2
