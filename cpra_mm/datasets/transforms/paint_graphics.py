"""``PaintGraphics``: paint shaded (optionally noise-textured) shapes and
regular line patterns onto a clean training photograph."""
from numbers import Integral
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from cpra_mm.rain import fresh_generator
from cpra_mm.rain.parameter_ranges import as_range
from cpra_mm.registry import TRANSFORMS

SATURATED_RANGE: Tuple[float, float] = (0.6, 1.0)
"""HSV saturation of a saturated shape colour (``PaintGraphics(saturated_prob=...)``)."""

SATURATED_VALUE_RANGE: Tuple[float, float] = (0.5, 1.0)
"""HSV value (brightness) of a saturated shape colour."""


def _unit_number(name: str, value) -> float:
    """``value``, a single number in [0, 1]; ValueError naming ``name``."""
    if isinstance(value, (tuple, list)):
        raise ValueError(f'PaintGraphics: {name} must be a single number, got {value!r}')
    return as_range(f'PaintGraphics: {name}', value, 0.0, 1.0)[0]


def _saturated_colour(rng: np.random.Generator) -> np.ndarray:
    """A random RGB colour (float32, 0-255) of any hue with HSV saturation
    and value drawn from :data:`SATURATED_RANGE` and
    :data:`SATURATED_VALUE_RANGE`."""
    hsv = np.array([[[rng.uniform(0, 360), rng.uniform(*SATURATED_RANGE),
                      rng.uniform(*SATURATED_VALUE_RANGE)]]], np.float32)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0] * 255


def _shape_mask(size: Tuple[int, int], rng: np.random.Generator,
                diameter: float) -> np.ndarray:
    """A soft-edged (anti-aliased) mask, float32 ``H x W`` in [0, 1], of one
    ellipse or convex polygon (3-8 corners) about ``diameter`` pixels across,
    centred anywhere in the image."""
    height, width = size
    mask = np.zeros(size, np.uint8)
    centre = rng.uniform((0, 0), (width, height))
    if rng.uniform() < 0.3:
        axes = diameter / 2 * rng.uniform(0.5, 1.0, 2)
        cv2.ellipse(mask, (centre * 16).round().astype(int).tolist(),
                    (axes * 16).round().astype(int).tolist(), rng.uniform(0, 180), 0, 360,
                    255, -1, cv2.LINE_AA, shift=4)
    else:
        corners = int(rng.integers(3, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
        radii = diameter / 2 * rng.uniform(0.7, 1.0, corners)
        points = centre + np.stack([np.cos(angles), np.sin(angles)], 1) * radii[:, None]
        cv2.fillPoly(mask, [(points * 16).round().astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255


def _line_pattern_mask(size: Tuple[int, int], rng: np.random.Generator, angle: float,
                       period: float, line_width: float,
                       grid: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Anti-aliased parallel lines ``line_width`` pixels wide every ``period``
    pixels at ``angle`` degrees from vertical (with ``grid``, crossed by a
    second set at right angles, 1-3 periods apart), inside a random
    rectangle covering 40-100 % of each side.

    Returns:
        ``(lines, rectangle)``: float32 ``H x W`` masks in [0, 1].
    """
    height, width = size
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    theta = np.deg2rad(angle)
    across = cols * np.cos(theta) - rows * np.sin(theta) + rng.uniform(0, period)
    distance = np.abs((across % period) - period / 2)
    mask = np.clip(distance - (period - line_width) / 2 + 0.5, 0, 1)
    if grid:
        period2 = period * rng.uniform(1.0, 3.0)
        along = cols * np.sin(theta) + rows * np.cos(theta) + rng.uniform(0, period2)
        distance2 = np.abs((along % period2) - period2 / 2)
        mask = np.maximum(mask, np.clip(distance2 - (period2 - line_width) / 2 + 0.5, 0, 1))
    region = np.zeros(size, np.float32)
    box_h, box_w = (np.array(size) * rng.uniform(0.4, 1.0, 2)).astype(int)
    top, left = rng.integers(0, height - box_h + 1), rng.integers(0, width - box_w + 1)
    region[top:top + box_h, left:left + box_w] = 1
    return mask * region, region


@TRANSFORMS.register_module()
class PaintGraphics(BaseTransform):
    """Paint flat-coloured shapes and, on a share of images, a regular line
    pattern onto ``results[key]``, in place.

    Meant for clean training photographs before ``AddRain(src_key='gt',
    dst_key='img')``, so that the painted photograph is the target: it
    brings into training what a corpus of photographs has little of and a
    derainer must keep, painted surfaces with sharp edges (signs, markings,
    logos, vehicles' panels) and regular bright or dark lines at any
    angle, vertical included (fences, railings, grilles, blinds, panels),
    with and without rain over them.

    Each shape is an ellipse (30 %) or a convex polygon with 3-8 corners,
    anti-aliased, of a uniformly random RGB colour (or, for a share
    ``saturated_prob`` of the shapes, a saturated one: any hue, HSV
    saturation and value in :data:`SATURATED_RANGE` and
    :data:`SATURATED_VALUE_RANGE`) with a linear shading across it
    (brightness x ``1 +- shading``) and per-pixel Gaussian noise of a
    standard deviation drawn from ``texture_noise`` (8-bit levels; painted
    plastic, printed or sprayed surfaces and sensor grain), painted at an
    opacity drawn from ``opacity``. A line pattern (probability
    ``pattern_prob``) is a grating, or a grid (half of them), of
    anti-aliased lines in a random rectangle covering 40-100 % of each
    side; half of the patterns first fill that rectangle with a flat ground
    colour. Line and ground colours
    are random RGB, except that a share ``bright_line_prob`` of the patterns
    has light grey to white lines (brightness 160-255 levels, tinted by at
    most 10 levels per channel), the colour of rain, over a ground at most
    half as bright: the pattern a derainer most readily takes for rain.

    Required keys: ``key`` (``H x W x 3`` uint8).

    Modified keys: ``key`` (same shape and dtype).

    Args:
        key: the image to paint.
        num_shapes: shapes per image, an integer or an ordered pair (both
            ends included), >= 0.
        shape_size: shape diameter as a share of the image's shorter side,
            a number or an ordered pair in (0, 2].
        shading: brightness variation across a shape, in [0, 1].
        texture_noise: standard deviation of the per-pixel noise on a shape,
            8-bit levels, a number or an ordered pair in [0, 64]; 0 paints
            smooth shapes.
        saturated_prob: share of the shapes painted in a saturated colour,
            in [0, 1].
        opacity: opacity of shapes and lines, in [0, 1].
        pattern_prob: probability of a line pattern, in [0, 1].
        pattern_angle: degrees from vertical, in [-90, 90].
        pattern_period: line spacing in pixels, >= 3.
        pattern_width: line width in pixels, > 0 and below the period.
        bright_line_prob: share of the patterns with rain-coloured lines, in
            [0, 1].
        seed: None (fresh graphics each call from a generator seeded by
            numpy's global random state, which the Runner seeds per worker)
            or an integer >= 0 (the same graphics every call: tests).

    Raises:
        ValueError: naming the argument, when one is out of its range.
    """

    def __init__(self,
                 key: str = 'gt',
                 num_shapes=(1, 4),
                 shape_size=(0.15, 0.5),
                 shading: float = 0.3,
                 texture_noise=0.0,
                 saturated_prob: float = 0.0,
                 opacity=(0.7, 1.0),
                 pattern_prob: float = 0.5,
                 pattern_angle=(-90.0, 90.0),
                 pattern_period=(5.0, 24.0),
                 pattern_width=(1.0, 3.0),
                 bright_line_prob: float = 0.0,
                 seed: Optional[int] = None) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError(f'PaintGraphics: key must be a non-empty string, got {key!r}')
        self.key = key
        self.num_shapes = as_range('PaintGraphics: num_shapes', num_shapes, 0, 64, integer=True)
        self.shape_size = as_range('PaintGraphics: shape_size', shape_size, 1e-3, 2.0)
        self.shading = _unit_number('shading', shading)
        self.texture_noise = as_range('PaintGraphics: texture_noise', texture_noise, 0.0, 64.0)
        self.saturated_prob = _unit_number('saturated_prob', saturated_prob)
        self.opacity = as_range('PaintGraphics: opacity', opacity, 0.0, 1.0)
        self.pattern_prob = _unit_number('pattern_prob', pattern_prob)
        self.pattern_angle = as_range('PaintGraphics: pattern_angle', pattern_angle, -90.0, 90.0)
        self.pattern_period = as_range('PaintGraphics: pattern_period', pattern_period, 3.0, 1e4)
        self.pattern_width = as_range('PaintGraphics: pattern_width', pattern_width, 1e-3, 1e4)
        self.bright_line_prob = _unit_number('bright_line_prob', bright_line_prob)
        if self.pattern_width[1] >= self.pattern_period[0]:
            raise ValueError('PaintGraphics: pattern_width must stay below pattern_period, '
                             f'got {pattern_width!r} and {pattern_period!r}')
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)
                                 or seed < 0):
            raise ValueError(f'PaintGraphics: seed must be None or an integer >= 0, got {seed!r}')
        self.seed = seed

    def _generator(self) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return fresh_generator()

    def transform(self, results: dict) -> dict:
        """Paint ``results[key]``.

        Raises:
            KeyError: when ``results`` has no ``key``.
            ValueError: when the image is not ``H x W x 3`` uint8.
        """
        if self.key not in results:
            raise KeyError(f'PaintGraphics: results has no {self.key!r} (key); keys present: '
                           f'{sorted(results)}')
        image = results[self.key]
        if not (isinstance(image, np.ndarray) and image.dtype == np.uint8
                and image.ndim == 3 and image.shape[2] == 3):
            raise ValueError(f'PaintGraphics: results[{self.key!r}] must be an H x W x 3 uint8 '
                             f'array, got {getattr(image, "dtype", type(image))} of shape '
                             f'{getattr(image, "shape", None)}')
        rng = self._generator()
        size = image.shape[:2]
        canvas = image.astype(np.float32)
        if rng.uniform() < self.pattern_prob:
            angle = rng.uniform(*self.pattern_angle)
            period = rng.uniform(*self.pattern_period)
            line_width = min(rng.uniform(*self.pattern_width), period - 1)
            lines, rectangle = _line_pattern_mask(size, rng, angle, period, line_width,
                                                  grid=rng.uniform() < 0.5)
            line_colour = ground_colour = None
            if rng.uniform() < self.bright_line_prob:
                line_colour = rng.uniform(160, 255) + rng.uniform(-10, 10, 3)
                ground_colour = rng.uniform(0, line_colour.min() / 2, 3)
            if ground_colour is not None or rng.uniform() < 0.5:
                canvas = self._paint(canvas, rectangle, rng, shading=0.0, colour=ground_colour)
            canvas = self._paint(canvas, lines, rng, shading=0.0, colour=line_colour)
        shorter = min(size)
        for _ in range(int(rng.integers(self.num_shapes[0], self.num_shapes[1] + 1))):
            mask = _shape_mask(size, rng, shorter * rng.uniform(*self.shape_size))
            colour = None
            if self.saturated_prob > 0 and rng.uniform() < self.saturated_prob:
                colour = _saturated_colour(rng)
            noise = None
            if self.texture_noise[1] > 0:
                noise = rng.normal(0.0, rng.uniform(*self.texture_noise), canvas.shape)
            canvas = self._paint(canvas, mask, rng, shading=self.shading, colour=colour,
                                 noise=noise)
        results[self.key] = np.clip(canvas, 0, 255).round().astype(np.uint8)
        return results

    def _paint(self, canvas: np.ndarray, mask: np.ndarray, rng: np.random.Generator,
               shading: float, colour: Optional[np.ndarray] = None,
               noise: Optional[np.ndarray] = None) -> np.ndarray:
        """``canvas`` (float32 ``H x W x 3``, 0-255) with ``colour`` (RGB
        0-255; None: a random one), shaded linearly in a random direction,
        plus ``noise`` (``H x W x 3`` levels; None: none), alpha-blended over
        it where ``mask`` (``H x W`` in [0, 1]) is set, at a random
        opacity."""
        height, width = mask.shape
        if colour is None:
            colour = rng.uniform(0, 255, 3)
        colour = np.asarray(colour, np.float32)
        direction = rng.uniform(0, 2 * np.pi)
        rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
        ramp = (np.cos(direction) * cols / width + np.sin(direction) * rows / height)
        brightness = 1 + shading * rng.uniform(-1, 1) * (ramp - ramp.mean())
        alpha = (mask * rng.uniform(*self.opacity))[..., None]
        paint = colour * brightness[..., None]
        if noise is not None:
            paint = paint + noise
        return canvas * (1 - alpha) + alpha * paint

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(key='{self.key}', num_shapes={self.num_shapes}, "
                f'shape_size={self.shape_size}, shading={self.shading}, '
                f'texture_noise={self.texture_noise}, saturated_prob={self.saturated_prob}, '
                f'opacity={self.opacity}, pattern_prob={self.pattern_prob}, '
                f'pattern_angle={self.pattern_angle}, pattern_period={self.pattern_period}, '
                f'pattern_width={self.pattern_width}, bright_line_prob={self.bright_line_prob}, '
                f'seed={self.seed})')
