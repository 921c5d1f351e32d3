"""How a streak layer is laid over the image.

Every mode takes the image ``base`` (H, W, C) and a layer's opacity map
``alpha`` (H, W, 1), both float32 in [0, 1], and the streak colour ``c`` (a
brightness in [0, 1]; rain is grey to white):

* ``'screen'``: ``1 - (1 - base) * (1 - alpha * c)``: light adds less on
  bright pixels, never saturates abruptly;
* ``'additive'``: ``base + alpha * c``, clipped to 1: streaks over bright
  areas burn out to white;
* ``'alpha'``: ``base * (1 - alpha) + alpha * c``: streaks cover the scene
  like an opaque veil, so they can also darken bright pixels (c < base).
"""
from typing import Callable, Dict

import numpy as np

BlendFunction = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def screen_blend(base: np.ndarray, alpha: np.ndarray, colour: float) -> np.ndarray:
    """``1 - (1 - base) * (1 - alpha * colour)``; see the module docstring."""
    return 1.0 - (1.0 - base) * (1.0 - alpha * np.float32(colour))


def additive_blend(base: np.ndarray, alpha: np.ndarray, colour: float) -> np.ndarray:
    """``min(base + alpha * colour, 1)``; see the module docstring."""
    return np.minimum(base + alpha * np.float32(colour), 1.0)


def alpha_over_blend(base: np.ndarray, alpha: np.ndarray, colour: float) -> np.ndarray:
    """``base * (1 - alpha) + alpha * colour``; see the module docstring."""
    return base * (1.0 - alpha) + alpha * np.float32(colour)


BLEND_MODES: Dict[str, BlendFunction] = {
    'screen': screen_blend,
    'additive': additive_blend,
    'alpha': alpha_over_blend,
}
"""Blend functions by the name ``RainParams.blend`` uses."""
