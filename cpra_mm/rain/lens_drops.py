"""Raindrops on the lens: small refracting disks.

A drop of radius ``r`` at ``(x0, y0)`` acts as a tiny upside-down lens: the
pixel at offset ``(dx, dy)`` inside the disk shows the scene at
``(x0 - m * dx, y0 - m * dy)`` (magnification ``m``, the image flipped
through the drop's centre), defocused (Gaussian, sigma ``r / 4``) and
brightened a little; the disk's edge is feathered over about 1.5 pixels and
a thin dark rim marks the meniscus.
"""
import math

import cv2
import numpy as np

DROP_MAGNIFICATION = (0.3, 0.6)
"""Range of the drop's magnification ``m`` (< 1: a wide field squeezed in)."""

DROP_BRIGHTENING = (1.0, 1.15)
"""Range of the gain applied to what a drop shows."""


def render_lens_drops(image: np.ndarray, count: int, radius: tuple,
                      rng: np.random.Generator) -> np.ndarray:
    """Return ``image`` with ``count`` lens drops; ``image`` is not modified.

    Args:
        image: float32 (H, W, C), values in [0, 1].
        count: Number of drops, >= 0.
        radius: ``(low, high)`` drop radius in pixels, sampled per drop.
        rng: Source of positions, sizes and looks.

    Returns:
        New float32 array (H, W, C), values in [0, 1].
    """
    out = image.copy()
    height, width = image.shape[:2]
    for _ in range(count):
        r = float(rng.uniform(*radius))
        cx, cy = float(rng.uniform(0, width)), float(rng.uniform(0, height))
        magnification = float(rng.uniform(*DROP_MAGNIFICATION))
        gain = np.float32(rng.uniform(*DROP_BRIGHTENING))
        x0, x1 = max(int(cx - r - 2), 0), min(int(math.ceil(cx + r + 2)), width)
        y0, y1 = max(int(cy - r - 2), 0), min(int(math.ceil(cy + r + 2)), height)
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dx, dy = xs - cx, ys - cy
        distance = np.sqrt(dx * dx + dy * dy)
        map_x = np.clip(cx - magnification * dx, 0, width - 1)
        map_y = np.clip(cy - magnification * dy, 0, height - 1)
        seen = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)
        seen = seen.reshape(y1 - y0, x1 - x0, -1)
        sigma = max(r / 4.0, 0.5)
        seen = cv2.GaussianBlur(seen, (0, 0), sigma).reshape(seen.shape)
        inside = np.clip((r - distance) / 1.5, 0.0, 1.0)[..., None]
        rim = np.exp(-0.5 * ((distance - r + 1.0) / 0.8) ** 2)[..., None]
        patch = out[y0:y1, x0:x1]
        drop = np.clip(seen * gain, 0.0, 1.0) * (1.0 - 0.35 * rim)
        out[y0:y1, x0:x1] = patch * (1.0 - inside) + drop * inside
    return out
