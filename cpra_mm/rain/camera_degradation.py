"""What the camera does after the rain: sensor noise and JPEG compression.

Both are drawn per image by :class:`CameraParams`. Noise is additive Gaussian
with a signal-dependent part (shot noise): ``sigma(x) = sigma_read +
shot * sqrt(x)``; JPEG round-trips the 8-bit image through OpenCV's encoder
at the sampled quality.
"""
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from .parameter_ranges import Range, as_range


@dataclass(frozen=True)
class CameraSample:
    """Concrete camera degradation for one image.

    Attributes:
        read_noise: Signal-independent noise sigma, in [0, 1] units.
        shot_noise: Signal-dependent noise factor (times ``sqrt(x)``).
        jpeg_quality: JPEG quality 1-100, or None for no compression.
    """
    read_noise: float
    shot_noise: float
    jpeg_quality: Optional[int]


@dataclass(frozen=True)
class CameraParams:
    """Distribution of the camera degradation.

    Attributes:
        read_noise: Range of the read-noise sigma, in [0, 0.2].
        shot_noise: Range of the shot-noise factor, in [0, 0.2].
        noise_prob: Probability that an image gets noise at all, in [0, 1].
        jpeg_quality: Range of JPEG qualities, in [1, 100].
        jpeg_prob: Probability that an image is JPEG-compressed, in [0, 1].
    """
    read_noise: Range = (0.0, 0.02)
    shot_noise: Range = (0.0, 0.02)
    noise_prob: float = 0.0
    jpeg_quality: Range = (50.0, 95.0)
    jpeg_prob: float = 0.0

    def __post_init__(self) -> None:
        for name, (low, high) in {'read_noise': (0.0, 0.2),
                                  'shot_noise': (0.0, 0.2),
                                  'jpeg_quality': (1.0, 100.0)}.items():
            object.__setattr__(self, name,
                               as_range(name, getattr(self, name), low, high))
        for name in ('noise_prob', 'jpeg_prob'):
            object.__setattr__(self, name,
                               as_range(name, getattr(self, name), 0.0, 1.0)[0])

    def sample(self, rng: np.random.Generator) -> CameraSample:
        """Draw one image's degradation from ``rng`` (always 4 draws)."""
        noisy = rng.uniform() < self.noise_prob
        read, shot = rng.uniform(*self.read_noise), rng.uniform(*self.shot_noise)
        compress = rng.uniform() < self.jpeg_prob
        quality = int(round(rng.uniform(*self.jpeg_quality)))
        return CameraSample(
            read_noise=float(read) if noisy else 0.0,
            shot_noise=float(shot) if noisy else 0.0,
            jpeg_quality=quality if compress else None)


def noise_field(image: np.ndarray, sample: CameraSample,
                rng: np.random.Generator) -> np.ndarray:
    """Sensor noise for ``image`` (float32 (H, W, C) in [0, 1]).

    Returns:
        float32 array of the image's shape (zeros when the sample has none).
    """
    if sample.read_noise == 0 and sample.shot_noise == 0:
        return np.zeros_like(image)
    sigma = sample.read_noise + sample.shot_noise * np.sqrt(np.clip(image, 0, 1))
    return (rng.standard_normal(image.shape).astype(np.float32) * sigma).astype(
        np.float32)


def jpeg_round_trip(image: np.ndarray, quality: Optional[int]) -> np.ndarray:
    """Encode and decode float32 (H, W, C) [0, 1] data as 8-bit JPEG.

    Channel order does not matter for the round trip's statistics; the data
    are passed to OpenCV as they are. ``quality=None`` returns the input.
    """
    if quality is None:
        return image
    channels = image.shape[2]
    as_uint8 = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)
    if channels not in (1, 3):
        raise ValueError(f'JPEG needs 1 or 3 channels, got {channels}')
    ok, encoded = cv2.imencode('.jpg', as_uint8,
                               [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError('OpenCV could not encode the image as JPEG')
    decoded = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return (decoded.reshape(image.shape).astype(np.float32) / 255.0)


def apply_camera(image: np.ndarray, noise: np.ndarray,
                 quality: Optional[int]) -> np.ndarray:
    """``jpeg(clip(image + noise))`` on float32 (H, W, C) [0, 1] data."""
    return jpeg_round_trip(np.clip(image + noise, 0.0, 1.0), quality)


