"""Synthetic rain: streak layers, haze veil and lens drops.

The renderer is plain numpy + OpenCV (no OpenMMLab import), so offline tools
and data-pipeline transforms share it.

Image model (all math in float32 on values in [0, 1]):

* each streak layer is a sparse field of drops (Poisson count, uniform
  positions, per-drop brightness in [0.5, 1]) convolved with an oriented,
  anti-aliased line kernel: every drop becomes a motion-blurred segment of the
  layer's length, width and angle, optionally defocused; the layer is scaled
  by its intensity and blended onto the image with one of the modes of
  :mod:`cpra_mm.rain.blend_modes` (screen by default, so rain brightens);
  layers may lie at increasing depth (shorter, thinner, dimmer);
* the haze veil is the atmospheric scattering model
  ``out = out * (1 - t) + t * A`` with strength ``t`` (optionally varying
  smoothly over the image) and atmospheric light ``A``;
* lens drops (:mod:`cpra_mm.rain.lens_drops`) refract the scene last.

Rain is grey to white, so the result does not depend on the channel order
(RGB or BGR). Sensor noise and JPEG compression are separate
(:mod:`cpra_mm.rain.camera_degradation`).
"""
import hashlib
import math
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Optional, Tuple

import cv2
import numpy as np

from .blend_modes import BLEND_MODES
from .lens_drops import render_lens_drops
from .parameter_ranges import IntRange, Range, as_range

DENSITY_AREA = 100 * 100
"""Streak density is counted per this many pixels (a 100 x 100 patch)."""

DROP_AREA = 256 * 256
"""Lens-drop density is counted per this many pixels."""

DROP_BRIGHTNESS = (0.5, 1.0)
"""Range of each drop's own brightness, before the layer's intensity."""

_GAUSSIAN_FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))

_INTEGER_FULL_SCALE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}

_FLOAT_INPUT_LIMIT = 2.0
"""Float images are [0, 1] data; a value above this means 0-255 data."""


@dataclass(frozen=True)
class StreakLayer:
    """Concrete parameters of one streak layer (already sampled).

    Attributes:
        density: Expected streaks per 100 x 100 pixels, >= 0.
        length: Streak length in pixels, >= 1.
        angle: Degrees from vertical in [-90, 90]; positive angles slant the
            lower end of each streak to the right.
        width: Streak width (full width at half maximum) in pixels, > 0;
            widths below 1 pixel render as 1-pixel streaks dimmed by the
            width.
        intensity: Opacity of the layer's brightest streaks, in [0, 1].
        blur: Gaussian defocus of the layer (sigma in pixels, >= 0).
    """
    density: float
    length: float
    angle: float
    width: float
    intensity: float
    blur: float = 0.0


@dataclass(frozen=True)
class RainSample:
    """Concrete rain for one image.

    Attributes:
        layers: The streak layers, composited in order (far to near).
        haze: Haze strength ``t`` in [0, 1] (0 = no veil).
        atmospheric_light: Brightness ``A`` of the veil, in [0, 1].
        blend: Name of the blend mode (a key of ``BLEND_MODES``).
        streak_colour: Brightness of the streaks, in [0, 1].
        haze_variation: Relative spatial variation of the haze, in [0, 1].
        drops: Mean number of lens drops per 256 x 256 pixels.
        drop_radius: ``(low, high)`` radius of the lens drops in pixels.
    """
    layers: Tuple[StreakLayer, ...]
    haze: float
    atmospheric_light: float
    blend: str = 'screen'
    streak_colour: float = 1.0
    haze_variation: float = 0.0
    drops: float = 0.0
    drop_radius: Tuple[float, float] = (2.0, 6.0)


_BOUNDS = {
    'density': (0.0, math.inf),
    'length': (1.0, math.inf),
    'angle': (-90.0, 90.0),
    'width': (0.0, math.inf),
    'intensity': (0.0, 1.0),
    'haze': (0.0, 1.0),
    'atmospheric_light': (0.0, 1.0),
    'angle_spread': (0.0, 45.0),
    'blur': (0.0, 10.0),
    'depth_falloff': (0.0, 0.9),
    'streak_colour': (0.0, 1.0),
    'haze_variation': (0.0, 1.0),
    'drops': (0.0, math.inf),
    'drop_radius': (0.5, 64.0),
}


@dataclass(frozen=True)
class RainParams:
    """Distribution of the rain added to an image.

    Every numeric attribute takes a fixed value or a ``(low, high)`` pair
    (tuple or list) sampled uniformly per image; after construction each is
    a validated ``(low, high)`` tuple. The defaults of the attributes after
    ``atmospheric_light`` switch their effect off, and an attribute left at
    its default draws no random number, so older configurations render the
    very same rain as before these attributes existed.

    Attributes:
        density: Streaks per 100 x 100 pixels, >= 0 (drizzle ~5, storm
            ~100).
        length: Streak length in pixels, >= 1.
        angle: Degrees from vertical, in [-90, 90]; positive slants the
            lower ends of the streaks to the right. One angle is drawn per
            image (all rain falls in the same wind).
        width: Streak width in pixels, > 0.
        intensity: Streak opacity, in [0, 1].
        layers: Number of streak layers, an integer >= 1 (a pair samples an
            integer with both ends included). Each layer draws its own
            density, length, width, intensity and blur.
        haze: Haze veil strength, in [0, 1]; 0 disables the veil.
        atmospheric_light: Brightness of the haze veil, in [0, 1].
        angle_spread: Per-layer deviation from the image's angle, degrees in
            [0, 45]: each layer's angle is ``angle + U(-s, s)``.
        blur: Gaussian defocus of each layer's streaks, sigma in pixels in
            [0, 10].
        depth_falloff: In [0, 0.9]. Layers lie at increasing depth: layer
            ``k`` counted from the farthest of ``n`` is scaled by
            ``(1 - f) ** (n - 1 - k)`` in length, width and intensity, so far
            layers are shorter, thinner and dimmer.
        streak_colour: Brightness of the streaks, in [0, 1] (1 = white).
        blend: Blend modes to draw from, one per image: any of ``'screen'``,
            ``'additive'``, ``'alpha'`` (see :mod:`cpra_mm.rain.blend_modes`).
        haze_variation: In [0, 1]: the haze strength is multiplied by a
            smooth random field in ``[1 - v, 1 + v]``.
        drops: Lens drops per 256 x 256 pixels (Poisson mean), >= 0.
        drop_radius: Lens drop radius in pixels, in [0.5, 64].

    Raises:
        ValueError: naming the attribute, when a value is not a number, a
            pair is not ordered, a value lies outside its interval, or a
            blend mode is unknown.
    """
    density: Range = (10.0, 40.0)
    length: Range = (10.0, 40.0)
    angle: Range = (-20.0, 20.0)
    width: Range = (1.0, 2.0)
    intensity: Range = (0.3, 0.7)
    layers: IntRange = (1, 3)
    haze: Range = 0.0
    atmospheric_light: Range = (0.8, 1.0)
    angle_spread: Range = 0.0
    blur: Range = 0.0
    depth_falloff: Range = 0.0
    streak_colour: Range = 1.0
    blend: Tuple[str, ...] = ('screen',)
    haze_variation: Range = 0.0
    drops: Range = 0.0
    drop_radius: Range = (2.0, 6.0)

    def __post_init__(self) -> None:
        for name, (low, high) in _BOUNDS.items():
            object.__setattr__(self, name,
                               as_range(name, getattr(self, name), low, high))
        if self.width[0] <= 0:
            raise ValueError(f'width must be > 0 pixels, got {self.width!r}')
        object.__setattr__(
            self, 'layers',
            as_range('layers', self.layers, 1, math.inf, integer=True))
        blend = (self.blend,) if isinstance(self.blend, str) else tuple(self.blend)
        unknown = [mode for mode in blend if mode not in BLEND_MODES]
        if not blend or unknown:
            raise ValueError(
                f'blend must name one or more of {sorted(BLEND_MODES)}, '
                f'got {self.blend!r}')
        object.__setattr__(self, 'blend', blend)

    def _draw(self, name: str, rng: np.random.Generator) -> float:
        """Draw attribute ``name``; its default draws nothing (see above)."""
        value = getattr(self, name)
        default = type(self).__dataclass_fields__[name].default
        if value == as_range(name, default, *_BOUNDS[name]):
            return value[0]
        return float(rng.uniform(*value))

    def sample(self, rng: np.random.Generator) -> RainSample:
        """Draw the concrete rain for one image from ``rng``."""
        layer_count = int(rng.integers(self.layers[0], self.layers[1] + 1))
        angle = float(rng.uniform(*self.angle))
        spread = self._draw('angle_spread', rng)
        falloff = self._draw('depth_falloff', rng)
        layers = []
        for index in range(layer_count):
            density = float(rng.uniform(*self.density))
            length = float(rng.uniform(*self.length))
            width = float(rng.uniform(*self.width))
            intensity = float(rng.uniform(*self.intensity))
            layer_angle = angle + (float(rng.uniform(-spread, spread))
                                   if spread > 0 else 0.0)
            scale = (1.0 - falloff) ** (layer_count - 1 - index)
            layers.append(StreakLayer(
                density=density,
                length=max(length * scale, 1.0),
                angle=float(np.clip(layer_angle, -90.0, 90.0)),
                width=width * scale,
                intensity=intensity * scale,
                blur=self._draw('blur', rng)))
        haze = float(rng.uniform(*self.haze))
        atmospheric_light = float(rng.uniform(*self.atmospheric_light))
        blend = (self.blend[int(rng.integers(len(self.blend)))]
                 if len(self.blend) > 1 else self.blend[0])
        mean_drops = self._draw('drops', rng)
        return RainSample(
            layers=tuple(layers),
            haze=haze,
            atmospheric_light=atmospheric_light,
            blend=blend,
            streak_colour=self._draw('streak_colour', rng),
            haze_variation=self._draw('haze_variation', rng),
            drops=mean_drops,
            drop_radius=self.drop_radius)


def streak_kernel(length: float, angle: float, width: float) -> np.ndarray:
    """Return the image of one streak: an anti-aliased line segment.

    The segment is centred in an odd-sized square, Gaussian across (full
    width at half maximum ``max(width, 1)``, peak ``min(width, 1)``) and
    with a one-pixel soft edge at both ends. It is symmetric under a 180
    degree rotation, so correlation with it equals convolution.

    Returns:
        float32 array of shape (k, k), k odd, values in [0, 1].
    """
    sigma = max(width, 1.0) / _GAUSSIAN_FWHM_PER_SIGMA
    peak = min(width, 1.0)
    half_length = length / 2.0
    radius = int(math.ceil(half_length + 0.5 + 3.0 * sigma))
    coords = np.arange(-radius, radius + 1, dtype=np.float32)
    y, x = np.meshgrid(coords, coords, indexing='ij')
    theta = math.radians(angle)
    down_x, down_y = math.sin(theta), math.cos(theta)
    along = x * down_x + y * down_y
    across = x * down_y - y * down_x
    cross_profile = np.exp(-0.5 * (across / sigma) ** 2)
    end_profile = np.clip(half_length + 0.5 - np.abs(along), 0.0, 1.0)
    return (peak * cross_profile * end_profile).astype(np.float32)


def render_streak_layer(height: int, width: int, layer: StreakLayer,
                        rng: np.random.Generator) -> np.ndarray:
    """Render one layer of streaks as an opacity map.

    Drops are scattered over the image grown by the kernel radius on every
    side, so streaks cut by the border are as frequent as inside.

    Returns:
        float32 array of shape (height, width), values in
        [0, layer.intensity].
    """
    kernel = streak_kernel(layer.length, layer.angle, layer.width)
    pad = kernel.shape[0] // 2
    canvas_height, canvas_width = height + 2 * pad, width + 2 * pad
    count = int(rng.poisson(layer.density * canvas_height * canvas_width /
                            DENSITY_AREA))
    drops = np.zeros((canvas_height, canvas_width), dtype=np.float32)
    rows = rng.integers(0, canvas_height, count)
    cols = rng.integers(0, canvas_width, count)
    brightness = rng.uniform(*DROP_BRIGHTNESS, count).astype(np.float32)
    np.add.at(drops, (rows, cols), brightness)
    streaks = cv2.filter2D(drops, cv2.CV_32F, kernel,
                           borderType=cv2.BORDER_CONSTANT)
    streaks = streaks[pad:pad + height, pad:pad + width]
    if layer.blur > 0:
        streaks = cv2.GaussianBlur(streaks, (0, 0), layer.blur)
    return np.clip(streaks, 0.0, 1.0) * np.float32(layer.intensity)


def smooth_field(height: int, width: int, variation: float,
                 rng: np.random.Generator) -> np.ndarray:
    """A smooth random field in ``[1 - variation, 1 + variation]``.

    Returns:
        float32 array (height, width, 1): a 4 x 4 grid of uniform values,
        upsampled bicubically and clipped.
    """
    grid = rng.uniform(1.0 - variation, 1.0 + variation, (4, 4)).astype(np.float32)
    field = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(field, 1.0 - variation, 1.0 + variation)[..., None]


def composite_rain(colour: np.ndarray, sample: RainSample,
                   rng: np.random.Generator) -> np.ndarray:
    """Add the sampled rain to a float image.

    Order: streak layers (far to near, each with the sample's blend mode),
    then the haze veil, then lens drops.

    Args:
        colour: float32 array (H, W, C), values in [0, 1]; not modified.
        sample: The rain to add.
        rng: Source of the drop positions.

    Returns:
        New float32 array (H, W, C), values in [0, 1].
    """
    height, width = colour.shape[:2]
    blend = BLEND_MODES[sample.blend]
    rainy = colour.copy()
    for layer in sample.layers:
        streaks = render_streak_layer(height, width, layer, rng)[..., None]
        rainy = blend(rainy, streaks, sample.streak_colour)
    if sample.haze > 0:
        t = np.float32(sample.haze)
        if sample.haze_variation > 0:
            t = np.clip(t * smooth_field(height, width, sample.haze_variation,
                                         rng), 0.0, 1.0)
        rainy = rainy * (1.0 - t) + t * np.float32(sample.atmospheric_light)
    rainy = np.clip(rainy, 0.0, 1.0).astype(np.float32, copy=False)
    if sample.drops > 0:
        count = int(rng.poisson(sample.drops * height * width / DROP_AREA))
        rainy = render_lens_drops(rainy, count, sample.drop_radius, rng)
    return rainy


def _split_alpha(image: np.ndarray) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Split (H, W), (H, W, 1|3) or (H, W, 2|4) into colour (H, W, C) and
    alpha (H, W, 1) or None."""
    if image.ndim == 2:
        return image[..., None], None
    if image.shape[2] in (2, 4):
        return image[..., :-1], image[..., -1:]
    return image, None


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray):
        raise TypeError(
            f'image must be a numpy.ndarray, got {type(image).__name__}')
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (1, 2, 3, 4))):
        raise ValueError(
            'image must have shape (H, W) or (H, W, C) with C in 1..4, got '
            f'{image.shape}')
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f'image must not be empty, got shape {image.shape}')
    if image.dtype not in _INTEGER_FULL_SCALE and not np.issubdtype(
            image.dtype, np.floating):
        raise ValueError(
            f'image dtype must be uint8, uint16 or floating point, got {image.dtype}')


def _to_unit_float(colour: np.ndarray) -> np.ndarray:
    """Map uint8/uint16 to [0, 1] float32; clip float data to [0, 1]."""
    full_scale = _INTEGER_FULL_SCALE.get(colour.dtype)
    if full_scale is not None:
        return colour.astype(np.float32) / np.float32(full_scale)
    if colour.size and float(np.nanmax(colour)) > _FLOAT_INPUT_LIMIT:
        raise ValueError(
            'image of floating point dtype must hold values in [0, 1], got a '
            f'maximum of {float(np.nanmax(colour))}; scale 0-255 data to [0, 1] '
            'first')
    return np.clip(colour.astype(np.float32), 0.0, 1.0)


def _from_unit_float(unit: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Inverse of :func:`_to_unit_float` for the given output dtype."""
    full_scale = _INTEGER_FULL_SCALE.get(dtype)
    if full_scale is not None:
        return np.clip(np.rint(unit * np.float32(full_scale)), 0,
                       full_scale).astype(dtype)
    return np.clip(unit, 0.0, 1.0).astype(dtype)


def map_unit_colour(function: Callable[..., Tuple[np.ndarray, ...]],
                    *images: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Apply ``function`` to the colour of same-shaped images as [0, 1] floats.

    Each image is split into colour and alpha (see
    :meth:`RainStreakRenderer.__call__` for the layouts and dtypes), its
    colour converted to float32 (H, W, C) in [0, 1]; ``function`` receives
    the colours and returns as many; they are converted back to each input's
    dtype and the alpha channels re-attached unchanged.
    """
    for image in images:
        _check_image(image)
    split = [_split_alpha(image) for image in images]
    outputs = function(*(_to_unit_float(colour) for colour, _ in split))
    results = []
    for image, (_, alpha), output in zip(images, split, outputs):
        output = _from_unit_float(output, image.dtype)
        if alpha is not None:
            output = np.concatenate([output, alpha], axis=2)
        results.append(output.reshape(image.shape))
    return tuple(results)


class RainStreakRenderer:
    """Adds rain drawn from :class:`RainParams` to images.

    Args:
        params: The rain distribution; ``None`` uses ``RainParams()``.
    """

    def __init__(self, params: Optional[RainParams] = None) -> None:
        if params is None:
            params = RainParams()
        if not isinstance(params, RainParams):
            raise TypeError(
                f'params must be a RainParams, got {type(params).__name__}')
        self.params = params

    def __call__(self, image: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
        """Return a rainy copy of ``image``; ``image`` is not modified.

        Args:
            image: (H, W) grayscale, (H, W, 1|3) colour in any channel order,
                or (H, W, 2|4) with a trailing alpha channel. dtype uint8
                (0-255), uint16 (0-65535) or floating point ([0, 1] data).
            rng: Source of all randomness; the same generator state gives
                the same rain.

        Returns:
            New array of the same shape and dtype: integer data stays in its
            full range, float data is clipped to [0, 1]; the alpha channel
            is copied unchanged.

        Raises:
            TypeError: when ``image`` is not an array or ``rng`` is not a
                ``numpy.random.Generator``.
            ValueError: naming ``image`` when its shape or dtype is
                unsupported.
        """
        _check_image(image)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f'rng must be a numpy.random.Generator, got {type(rng).__name__}')
        colour, alpha = _split_alpha(image)
        rainy = composite_rain(_to_unit_float(colour), self.params.sample(rng), rng)
        rainy = _from_unit_float(rainy, image.dtype)
        if alpha is not None:
            rainy = np.concatenate([rainy, alpha], axis=2)
        return rainy.reshape(image.shape)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.params!r})'


def render_rain(image: np.ndarray, rng: np.random.Generator,
                params: Optional[RainParams] = None) -> np.ndarray:
    """Return a rainy copy of ``image``; see :meth:`RainStreakRenderer.__call__`."""
    return RainStreakRenderer(params)(image, rng)


def generator_for(seed: int, identity: str) -> np.random.Generator:
    """Return a generator that depends only on ``seed`` and ``identity``.

    ``identity`` (an image's path, say) is hashed with SHA-256, not Python's
    salted ``hash()``, so the stream is the same in every process, worker
    and run.

    Args:
        seed: An integer >= 0.
        identity: Any string naming the image.
    """
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f'seed must be an integer >= 0, got {seed!r}')
    digest = hashlib.sha256(identity.encode('utf-8')).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest[:16], 'little')])


def fresh_generator() -> np.random.Generator:
    """Return a generator seeded by four 32-bit words drawn from numpy's
    global random state: fresh numbers on every call, reproducible where
    that state is seeded (the Runner seeds it per dataloader worker)."""
    return np.random.default_rng(np.random.randint(2**32, size=4, dtype=np.uint64))
