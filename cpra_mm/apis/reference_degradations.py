"""Reference image sets for a downstream gap: what a detector or segmenter
makes of the clean images with part of the rain left, or softened,
compressed or noisy, and no derainer at all.

They put a derainer's recovered share in scale: a derainer that leaves
``f`` of every streak in place, or one that removes the rain exactly but
blurs by ``sigma`` pixels, would recover what the ``rain-left:f`` or
``blur:sigma`` set recovers.
"""
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

import cv2
import numpy as np

VALUE_RANGES: Dict[str, Tuple[Callable[[float], bool], str]] = {
    'rain-left': (lambda value: 0 < value <= 1, 'in (0, 1]'),
    'blur': (lambda value: value > 0, '> 0'),
    'jpeg': (lambda value: value.is_integer() and 1 <= value <= 100, 'an integer in [1, 100]'),
    'noise': (lambda value: value > 0, '> 0'),
}
"""Per kind: whether a (finite) value is valid, and the range in words."""
REFERENCE_KINDS: Tuple[str, ...] = tuple(VALUE_RANGES)
"""Kinds of :class:`ReferenceDegradation`, as written in a spec
``KIND:VALUE``."""


@dataclass(frozen=True)
class ReferenceDegradation:
    """One reference set, made from each clean image (and its rainy copy).

    Attributes:
        kind: one of :data:`REFERENCE_KINDS`:

            * ``'rain-left'``: ``clean + value * (rainy - clean)``, the rain
              scaled down to a share ``value`` in (0, 1], the scene under it
              kept;
            * ``'blur'``: the clean image blurred by a Gaussian of standard
              deviation ``value`` > 0 pixels;
            * ``'jpeg'``: the clean image compressed as JPEG at quality
              ``value``, an integer in [1, 100];
            * ``'noise'``: the clean image plus Gaussian noise of standard
              deviation ``value`` > 0 (8-bit levels), drawn per image from
              the seed given to :meth:`apply`.
        value: the kind's parameter, as above.
    """

    kind: str
    value: float

    def __post_init__(self) -> None:
        if self.kind not in REFERENCE_KINDS:
            raise ValueError(f'reference kind must be one of {REFERENCE_KINDS}, '
                             f'got {self.kind!r}')
        accepts, wanted = VALUE_RANGES[self.kind]
        if not (np.isfinite(self.value) and accepts(float(self.value))):
            raise ValueError(f'{self.kind}: the value must be {wanted}, got {self.value:g}')

    @property
    def name(self) -> str:
        """The set's name, also a folder name: ``rain_left_0.3``,
        ``blur_0.5px``, ``jpeg_q90``, ``noise_2``."""
        return {'rain-left': f'rain_left_{self.value:g}', 'blur': f'blur_{self.value:g}px',
                'jpeg': f'jpeg_q{int(self.value)}', 'noise': f'noise_{self.value:g}'}[self.kind]

    def apply(self, clean: np.ndarray, rainy: np.ndarray, seed: Tuple[int, ...]) -> np.ndarray:
        """Make the reference image.

        Args:
            clean: ``H x W x 3`` uint8 clean image (any channel order).
            rainy: its rainy copy, same shape and dtype.
            seed: entropy of the noise generator (used by ``'noise'``
                only), e.g. ``(rain_seed, image_index)``.

        Returns:
            ``H x W x 3`` uint8, rounded and clipped to [0, 255].
        """
        if clean.shape != rainy.shape or clean.dtype != np.uint8 or rainy.dtype != np.uint8:
            raise ValueError(f'clean and rainy must be uint8 images of one shape, got '
                             f'{clean.dtype} {clean.shape} and {rainy.dtype} {rainy.shape}')
        if self.kind == 'jpeg':
            ok, data = cv2.imencode('.jpg', clean, [cv2.IMWRITE_JPEG_QUALITY, int(self.value)])
            if not ok:
                raise OSError('JPEG encoding failed')
            return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        image = clean.astype(np.float64)
        if self.kind == 'rain-left':
            image += self.value * (rainy.astype(np.float64) - image)
        elif self.kind == 'blur':
            image = cv2.GaussianBlur(image, (0, 0), self.value, borderType=cv2.BORDER_REFLECT_101)
        else:
            image += np.random.default_rng(seed).normal(0.0, self.value, image.shape)
        return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def parse_reference(spec: str) -> ReferenceDegradation:
    """Read ``KIND:VALUE`` (e.g. ``rain-left:0.3``, ``blur:0.5``,
    ``jpeg:90``, ``noise:2``) into a :class:`ReferenceDegradation`.

    Raises:
        ValueError: naming ``spec``, when it is malformed or out of range.
    """
    kind, sep, value = spec.partition(':')
    try:
        if not sep:
            raise ValueError(f'expected KIND:VALUE with KIND one of {REFERENCE_KINDS}')
        return ReferenceDegradation(kind, float(value))
    except ValueError as error:
        raise ValueError(f'reference {spec!r}: {error}') from None
