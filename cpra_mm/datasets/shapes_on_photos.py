"""Procedural labelled images: synthetic shapes drawn on crops of real photos.

Each image is a random crop of one of scikit-image's offline photographs,
resized to a square, with a few filled shapes ('disk', 'square', 'triangle')
painted on it. Shapes never touch each other and never leave the image, so
every object's mask is exactly the set of pixels painted for it (drawn
without anti-aliasing) and its box is tight around that mask. Shape colours
are drawn independently of the class, so a model has to recognise the
outline, which is what rain streaks disturb.

Pure numpy + OpenCV (scikit-image only to load the photographs); no
OpenMMLab import. Every image depends only on ``(seed, split, index)``.
"""
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

CLASSES: Tuple[str, ...] = ('disk', 'square', 'triangle')
"""Object classes; label ``i`` is ``CLASSES[i]`` (label-map value ``i + 1``)."""

PALETTE: Tuple[Tuple[int, int, int], ...] = ((0, 0, 0), (230, 25, 75),
                                             (60, 180, 75), (0, 130, 200))
"""RGB display colour of each label-map value (background first)."""

PHOTO_NAMES: Tuple[str, ...] = ('astronaut', 'coffee', 'chelsea', 'rocket',
                                'immunohistochemistry', 'hubble_deep_field',
                                'retina')
"""scikit-image photographs that load in colour without a download."""

SPLIT_CODES: Dict[str, int] = {'train': 0, 'val': 1, 'test': 2}
"""Stream of random numbers per split (mixed into each image's seed)."""

MAX_PLACEMENT_TRIES = 60
"""Attempts at placing one object before the image gets one object fewer."""

SHADING = 0.25
"""Largest relative brightness change of the linear shading across a shape."""

TEXTURE_NOISE = 6.0
"""Standard deviation (8-bit levels) of the per-pixel noise on a shape."""


def load_photos(names: Sequence[str] = PHOTO_NAMES) -> List[np.ndarray]:
    """Load scikit-image photographs as RGB arrays.

    Args:
        names: functions of ``skimage.data`` that return colour photographs.

    Returns:
        One ``H x W x 3`` uint8 RGB array per name (alpha dropped).

    Raises:
        ValueError: naming a photograph that scikit-image lacks or that is
            not a colour image.
    """
    from skimage import data as skdata

    photos = []
    for name in names:
        loader: Optional[Callable[[], np.ndarray]] = getattr(skdata, name, None)
        if loader is None:
            raise ValueError(f'skimage.data has no photograph {name!r}')
        photo = np.asarray(loader())
        if photo.ndim != 3 or photo.shape[2] < 3:
            raise ValueError(f'skimage.data.{name}() is not a colour image '
                             f'(shape {photo.shape})')
        photos.append(np.ascontiguousarray(photo[..., :3]).astype(np.uint8))
    return photos


@dataclass(frozen=True)
class ShapesSample:
    """One generated image and its exact annotations.

    Attributes:
        image: ``H x W x 3`` uint8 RGB image.
        labels: ``(N,)`` int64 class indices in ``[0, len(CLASSES))``.
        masks: ``(N, H, W)`` bool masks, pairwise disjoint; each is exactly
            the pixels painted for that object.
        boxes: ``(N, 4)`` float32 ``(x0, y0, x1, y1)`` in pixel-edge
            coordinates, tight around the mask: ``x0`` is the first masked
            column and ``x1`` one past the last (likewise for rows).
    """
    image: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray

    def label_map(self) -> np.ndarray:
        """``H x W`` uint8 map: 0 background, ``label + 1`` on each object."""
        out = np.zeros(self.image.shape[:2], np.uint8)
        for label, mask in zip(self.labels, self.masks):
            out[mask] = label + 1
        return out


def tight_box(mask: np.ndarray) -> np.ndarray:
    """``(x0, y0, x1, y1)`` float32 box tight around a non-empty bool mask
    (pixel edges: ``x1 = last column + 1``)."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError('tight_box needs a non-empty mask')
    return np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], np.float32)


def shape_mask(kind: str, center: Tuple[float, float], diameter: float,
               angle: float, size: int) -> np.ndarray:
    """Rasterise one filled shape without anti-aliasing.

    Args:
        kind: one of :data:`CLASSES`.
        center: ``(x, y)`` in pixels.
        diameter: diameter of the circle the shape is inscribed in, pixels.
        angle: rotation in radians (ignored for disks).
        size: side of the square canvas, pixels.

    Returns:
        ``size x size`` bool mask.
    """
    canvas = np.zeros((size, size), np.uint8)
    cx, cy = center
    radius = diameter / 2.0
    if kind == 'disk':
        cv2.circle(canvas, (int(round(cx)), int(round(cy))),
                   int(round(radius)), 1, thickness=-1, lineType=cv2.LINE_8)
    elif kind in ('square', 'triangle'):
        corners = 4 if kind == 'square' else 3
        phis = angle + 2.0 * math.pi * np.arange(corners) / corners
        points = np.stack([cx + radius * np.cos(phis),
                           cy + radius * np.sin(phis)], axis=1)
        cv2.fillPoly(canvas, [np.round(points).astype(np.int32)], 1,
                     lineType=cv2.LINE_8)
    else:
        raise ValueError(f'unknown shape {kind!r}; expected one of {CLASSES}')
    return canvas.astype(bool)


class ShapesOnPhotos:
    """Deterministic generator of :class:`ShapesSample` images.

    Args:
        photos: ``H x W x 3`` uint8 RGB backgrounds, each at least
            ``image_size`` on its shorter side (see :func:`load_photos`).
        image_size: side of the square output images, pixels.
        objects_per_image: ``(low, high)`` object count, both ends included
            (an image may get fewer when they do not fit).
        object_size: ``(low, high)`` diameter of the circle each shape is
            inscribed in, pixels; ``high < image_size``.
        min_gap: smallest distance in pixels between two objects.
        seed: integer >= 0; image ``(split, index)`` depends only on it.
    """

    def __init__(self,
                 photos: Sequence[np.ndarray],
                 image_size: int = 128,
                 objects_per_image: Tuple[int, int] = (1, 4),
                 object_size: Tuple[float, float] = (16.0, 44.0),
                 min_gap: int = 3,
                 seed: int = 0) -> None:
        if not photos:
            raise ValueError('ShapesOnPhotos needs at least one photo')
        for i, photo in enumerate(photos):
            if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
                raise ValueError(f'photos[{i}] must be H x W x 3 uint8, got '
                                 f'{photo.shape} {photo.dtype}')
            if min(photo.shape[:2]) < image_size:
                raise ValueError(f'photos[{i}] ({photo.shape[1]}x{photo.shape[0]}) '
                                 f'is smaller than image_size={image_size}')
        low, high = objects_per_image
        if not 0 <= low <= high:
            raise ValueError(f'objects_per_image must be 0 <= low <= high, got '
                             f'{objects_per_image}')
        if not 4 <= object_size[0] <= object_size[1] < image_size:
            raise ValueError(f'object_size must satisfy 4 <= low <= high < '
                             f'image_size={image_size}, got {object_size}')
        if seed < 0:
            raise ValueError(f'seed must be >= 0, got {seed}')
        self.photos = list(photos)
        self.image_size = image_size
        self.objects_per_image = (int(low), int(high))
        self.object_size = (float(object_size[0]), float(object_size[1]))
        self.min_gap = int(min_gap)
        self.seed = int(seed)

    def rng(self, split: str, index: int) -> np.random.Generator:
        """The random stream of image ``index`` of ``split``."""
        if split not in SPLIT_CODES:
            raise ValueError(f'split must be one of {sorted(SPLIT_CODES)}, got {split!r}')
        return np.random.default_rng([self.seed, SPLIT_CODES[split], int(index)])

    def background(self, rng: np.random.Generator) -> np.ndarray:
        """A random square crop of a random photo, resized (area
        interpolation) to ``image_size``, randomly mirrored; uint8 RGB."""
        photo = self.photos[rng.integers(len(self.photos))]
        height, width = photo.shape[:2]
        side = int(rng.integers(self.image_size, min(height, width) + 1))
        top = int(rng.integers(0, height - side + 1))
        left = int(rng.integers(0, width - side + 1))
        crop = photo[top:top + side, left:left + side]
        crop = cv2.resize(crop, (self.image_size, self.image_size),
                          interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        return np.ascontiguousarray(crop)

    def paint(self, image: np.ndarray, mask: np.ndarray,
              rng: np.random.Generator) -> None:
        """Fill ``image[mask]`` in place with a saturated random colour, a
        linear shading and per-pixel noise."""
        hsv = np.array([[[rng.integers(0, 180), rng.integers(150, 256),
                          rng.integers(130, 256)]]], np.uint8)
        colour = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)
        rows, cols = np.nonzero(mask)
        direction = rng.normal(size=2)
        direction /= np.linalg.norm(direction) + 1e-9
        ramp = cols * direction[0] + rows * direction[1]
        ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1.0)
        gain = 1.0 + SHADING * (ramp - 0.5) * 2.0
        noise = rng.normal(0.0, TEXTURE_NOISE, size=(rows.size, 3))
        pixels = colour[None, :] * gain[:, None] + noise
        image[rows, cols] = np.clip(np.round(pixels), 0, 255).astype(np.uint8)

    def sample(self, index: int, split: str = 'train') -> ShapesSample:
        """Generate image ``index`` of ``split`` (deterministic).

        Returns:
            A :class:`ShapesSample` of ``image_size x image_size`` pixels.
        """
        rng = self.rng(split, index)
        size = self.image_size
        image = self.background(rng)
        wanted = int(rng.integers(self.objects_per_image[0],
                                  self.objects_per_image[1] + 1))
        kernel = np.ones((2 * self.min_gap + 1, 2 * self.min_gap + 1), np.uint8)
        occupied = np.zeros((size, size), bool)
        labels, masks = [], []
        for _ in range(wanted):
            for _ in range(MAX_PLACEMENT_TRIES):
                label = int(rng.integers(len(CLASSES)))
                diameter = float(rng.uniform(*self.object_size))
                margin = diameter / 2.0 + 1.0
                center = (float(rng.uniform(margin, size - margin)),
                          float(rng.uniform(margin, size - margin)))
                angle = float(rng.uniform(0.0, 2.0 * math.pi))
                mask = shape_mask(CLASSES[label], center, diameter, angle, size)
                grown = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
                if mask.any() and not (grown & occupied).any():
                    break
            else:
                continue
            self.paint(image, mask, rng)
            occupied |= mask
            labels.append(label)
            masks.append(mask)
        masks_array = (np.stack(masks) if masks else np.zeros((0, size, size), bool))
        boxes = (np.stack([tight_box(m) for m in masks])
                 if masks else np.zeros((0, 4), np.float32))
        return ShapesSample(image=image,
                            labels=np.asarray(labels, np.int64),
                            masks=masks_array,
                            boxes=boxes)
