"""``AddRain``: a data-pipeline transform that adds synthetic rain."""
from numbers import Integral
from pathlib import PurePath
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from cpra_mm.rain import (CameraParams, IntRange, RainParams,
                          RainStreakRenderer, Range, apply_camera,
                          fresh_generator, generator_for, map_unit_colour, noise_field)

_METADATA_TEMPLATES = ('{}_path', 'ori_{}_shape', '{}_channel_order',
                       '{}_color_type')
"""Per-image keys MMagic's loaders keep beside ``results[key]``."""

class AddRain(BaseTransform):
    """Add synthetic rain streaks (and an optional haze veil) to an image.

    Reads ``results[src_key]`` and writes a new rainy array to
    ``results[dst_key]``; the source array is never modified, so
    ``src_key='gt', dst_key='img'`` turns a clean image into a
    (rainy ``img``, clean ``gt``) training pair. When the keys differ the
    source's metadata (``{src_key}_path``, ``ori_{src_key}_shape``,
    ``{src_key}_channel_order``, ``{src_key}_color_type``, those present) is
    copied under the ``dst_key`` names for the transforms that follow.

    Required keys: ``src_key``, an array (H, W) or (H, W, C) with C in 1..4
    (2 and 4: trailing alpha, passed through), dtype uint8, uint16 or float
    ([0, 1] data).

    Added keys: ``dst_key`` (same shape, dtype and value range), and the
    metadata above when ``dst_key != src_key``.

    Determinism: with a ``seed``, the rain of an image depends only on the
    seed and the image's path (``{src_key}_path``, else ``img_path``, else
    ``gt_path``; hashed with SHA-256), so an image gets the same rain in every
    epoch, worker and process. Without any path a per-transform counter
    stands in, which repeats across dataloader workers. ``seed=None`` draws
    fresh rain every call from a generator seeded by numpy's global random
    state (``np.random``), like MMCV's other random transforms: MMEngine's
    Runner seeds that state from ``randomness.seed`` in the main process,
    and its ``worker_init_fn`` in each dataloader worker (from the seed, the
    worker id and the rank; PyTorch's DataLoader seeds each worker apart
    even without it), so training rain is reproducible for a given
    ``randomness.seed`` and differs between workers.

    Args:
        density: Streaks per 100 x 100 pixels, >= 0.
        length: Streak length in pixels, >= 1.
        angle: Degrees from vertical, in [-90, 90].
        width: Streak width in pixels, > 0.
        intensity: Streak opacity, in [0, 1].
        layers: Number of streak layers, an integer >= 1.
        haze: Haze veil strength, in [0, 1]; 0 disables it.
        atmospheric_light: Brightness of the haze veil, in [0, 1].
        seed: An integer >= 0 for the same rain on an image in every run,
            or None for fresh rain drawn from numpy's global random state.
        src_key: Key of the clean image.
        dst_key: Key the rainy image is written to.

        dry_prob: Share of images, in [0, 1], left without rain: their
            rainy copy is the clean image itself, so a derainer trained on
            them learns to leave dry images alone.
        camera: Keyword arguments of :class:`cpra_mm.rain.CameraParams`
            (sensor noise, JPEG), or None for none. The camera acts after
            the rain: the rainy copy is ``jpeg(rain(clean) + noise)``. When
            ``dst_key != src_key`` the clean image is replaced by
            ``clean + noise`` with the same noise field (no JPEG), so a
            derainer learns to remove rain, not the camera's noise; a dry
            image's clean copy is its rainy copy (noise and JPEG included).

    Every rain parameter takes a number or a ``(low, high)`` pair sampled per
    image; see :class:`cpra_mm.rain.RainParams` for the ranges and the
    remaining keyword arguments (``angle_spread``, ``blur``,
    ``depth_falloff``, ``streak_colour``, ``blend``, ``haze_variation``,
    ``drops``, ``drop_radius``), which are passed to it.
    """

    def __init__(self,
                 density: Range = RainParams.density,
                 length: Range = RainParams.length,
                 angle: Range = RainParams.angle,
                 width: Range = RainParams.width,
                 intensity: Range = RainParams.intensity,
                 layers: IntRange = RainParams.layers,
                 haze: Range = RainParams.haze,
                 atmospheric_light: Range = RainParams.atmospheric_light,
                 seed: Optional[int] = None,
                 src_key: str = 'img',
                 dst_key: str = 'img',
                 dry_prob: float = 0.0,
                 camera: Optional[dict] = None,
                 **rain_options) -> None:
        self.renderer = RainStreakRenderer(
            RainParams(
                density=density,
                length=length,
                angle=angle,
                width=width,
                intensity=intensity,
                layers=layers,
                haze=haze,
                atmospheric_light=atmospheric_light,
                **rain_options))
        if isinstance(dry_prob, bool) or not isinstance(
                dry_prob, (int, float)) or not 0.0 <= dry_prob <= 1.0:
            raise ValueError(f'dry_prob must be a number in [0, 1], got {dry_prob!r}')
        self.dry_prob = float(dry_prob)
        self.camera = None if camera is None else CameraParams(**camera)
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, Integral) or seed < 0):
            raise ValueError(f'seed must be None or an integer >= 0, got {seed!r}')
        for name, key in (('src_key', src_key), ('dst_key', dst_key)):
            if not isinstance(key, str) or not key:
                raise ValueError(f'{name} must be a non-empty string, got {key!r}')
        self.seed = seed
        self.src_key = src_key
        self.dst_key = dst_key
        self._unnamed_images = 0

    def _generator(self, results: dict) -> np.random.Generator:
        """The generator for this image: see the class docstring."""
        if self.seed is None:
            return fresh_generator()
        for key in (f'{self.src_key}_path', 'img_path', 'gt_path'):
            path = results.get(key)
            if isinstance(path, (str, PurePath)):
                return generator_for(self.seed, str(path))
        self._unnamed_images += 1
        return generator_for(self.seed,
                             f'<image without a path #{self._unnamed_images}>')

    def _camera(self, rainy: np.ndarray, clean: np.ndarray, dry: bool,
                rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
        """Camera stage on float (H, W, C) [0, 1] colour: (input, target)."""
        sample = self.camera.sample(rng)
        noise = noise_field(clean, sample, rng)
        rainy = apply_camera(rainy, noise, sample.jpeg_quality)
        return rainy, rainy if dry else np.clip(clean + noise, 0.0, 1.0)

    def transform(self, results: dict) -> dict:
        """Write the rainy copy of ``results[src_key]`` to ``results[dst_key]``.

        Raises:
            KeyError: when ``results`` has no ``src_key``.
        """
        if self.src_key not in results:
            raise KeyError(f'AddRain: results has no {self.src_key!r} '
                           f'(src_key); keys present: {sorted(results)}')
        clean = results[self.src_key]
        rng = self._generator(results)
        dry = self.dry_prob > 0 and rng.uniform() < self.dry_prob
        rainy = clean if dry else self.renderer(clean, rng)
        if self.camera is not None:
            rainy, clean = map_unit_colour(
                lambda rain, target: self._camera(rain, target, dry, rng),
                rainy, clean)
            results[self.src_key] = clean
        elif dry:
            rainy = clean.copy()
        results[self.dst_key] = rainy
        if self.dst_key != self.src_key:
            for template in _METADATA_TEMPLATES:
                src_meta = template.format(self.src_key)
                if src_meta in results:
                    results[template.format(self.dst_key)] = results[src_meta]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.renderer.params!r}, '
                f'dry_prob={self.dry_prob}, camera={self.camera!r}, '
                f"seed={self.seed}, src_key='{self.src_key}', "
                f"dst_key='{self.dst_key}')")
