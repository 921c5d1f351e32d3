"""Splitting a derainer's output by where the rain fell: the images and the
statistics :file:`tools/analysis/downstream_gap_attribution.py` reports.

A pixel is *rain-covered* when the rain moved some channel by more than a
threshold (in 8-bit levels) from the clean image; every other pixel is
*dry*. Replacing one of the two parts of a derained image by the clean
image shows how much of what a downstream model still loses comes from the
other part: what the derainer left of the rain (or took with it) on the
rain-covered pixels, and what it changed on the dry ones.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

RESIDUE_BINS: Tuple[int, ...] = (10, 25, 50, 100, 256)
"""Edges (8-bit levels) of the rain-change bins of :func:`streak_residue`:
``[10, 25)``, ``[25, 50)``, ``[50, 100)`` and ``[100, 256)``."""


def _check_images(clean: np.ndarray, rainy: np.ndarray, derained: np.ndarray) -> None:
    """Raise ValueError unless the three are ``H x W x C`` uint8 images of
    one shape."""
    for name, image in (('clean', clean), ('rainy', rainy), ('derained', derained)):
        if image.dtype != np.uint8 or image.ndim != 3:
            raise ValueError(f'{name} must be an H x W x C uint8 image, got '
                             f'{image.dtype} of shape {image.shape}')
    if not clean.shape == rainy.shape == derained.shape:
        raise ValueError(f'clean, rainy and derained differ in shape: {clean.shape}, '
                         f'{rainy.shape}, {derained.shape}')


def rain_mask(clean: np.ndarray, rainy: np.ndarray, threshold: float) -> np.ndarray:
    """``H x W`` bool: where the rain moved some channel by more than
    ``threshold`` levels (``clean``, ``rainy``: ``H x W x C`` uint8)."""
    change = np.abs(rainy.astype(np.int16) - clean.astype(np.int16)).max(axis=2)
    return change > threshold


def split_by_rain(clean: np.ndarray, rainy: np.ndarray, derained: np.ndarray,
                  threshold: float) -> Tuple[np.ndarray, np.ndarray]:
    """The derained image kept only on the rain-covered pixels, and only on
    the dry ones, the clean image elsewhere.

    Args:
        clean, rainy, derained: ``H x W x C`` uint8 images of one scene, in
            one channel order.
        threshold: a pixel is rain-covered when the rain moved some channel
            by more than this many levels.

    Returns:
        ``(derained_on_rain, derained_off_rain)``, ``H x W x C`` uint8.

    Raises:
        ValueError: images of another dtype, rank or of unequal shapes.
    """
    _check_images(clean, rainy, derained)
    covered = rain_mask(clean, rainy, threshold)[..., None]
    return np.where(covered, derained, clean), np.where(covered, clean, derained)


def streak_residue(clean: np.ndarray, rainy: np.ndarray, derained: np.ndarray,
                   bins: Sequence[int] = RESIDUE_BINS) -> np.ndarray:
    """Per-channel sums over the pixel channels the rain brightened by an
    amount in each bin, for :func:`summarise_residue`.

    Returns:
        ``len(bins) - 1 x 4`` float64: count, sum of the rain's change
        (``rainy - clean``), sum of the residue (``derained - clean``) and
        sum of its absolute value, in levels.
    """
    _check_images(clean, rainy, derained)
    change = rainy.astype(np.int16) - clean.astype(np.int16)
    residue = derained.astype(np.int16) - clean.astype(np.int16)
    sums = np.zeros((len(bins) - 1, 4))
    for index, (low, high) in enumerate(zip(bins[:-1], bins[1:])):
        inside = (change >= low) & (change < high)
        sums[index] = (inside.sum(), change[inside].sum(), residue[inside].sum(),
                       np.abs(residue[inside]).sum())
    return sums


def summarise_residue(sums: np.ndarray,
                      bins: Sequence[int] = RESIDUE_BINS) -> List[Dict[str, float]]:
    """Rows of the residue table from summed :func:`streak_residue` arrays.

    Each row: ``low``, ``high`` (levels), ``share`` (of the counted pixel
    channels), ``rain`` (mean change), ``residue`` (mean of derained -
    clean: positive where rain is left), ``left`` (residue / rain: the
    share of the streak left in place; negative where the derainer took
    more than the rain) and ``abs_error``; means are None in empty bins.
    """
    total = sums[:, 0].sum()
    rows = []
    for (low, high), (count, rain, residue, error) in zip(zip(bins[:-1], bins[1:]), sums):
        row = dict(low=int(low), high=int(high), share=float(count / total) if total else 0.0,
                   rain=None, residue=None, left=None, abs_error=None)
        if count:
            row.update(rain=float(rain / count), residue=float(residue / count),
                       left=float(residue / rain) if rain else None,
                       abs_error=float(error / count))
        rows.append(row)
    return rows
