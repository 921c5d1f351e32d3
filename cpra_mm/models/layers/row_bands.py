"""Row bands: running a local computation on a large feature map a few rows
at a time, so that its intermediate maps stay in the CPU's caches.

A chain of per-pixel and small-kernel operations on a large map (the
feed-forward network's 1x1 -> depthwise -> GELU/gate -> 1x1) is bound by
memory bandwidth once its intermediate maps outgrow the last-level cache
(on the development CPU a depthwise 3x3 convolution was several times
slower per element on a 17 M-element map than on a 4 M-element one).
Computed in
bands of rows, each band extended by the operation's halo (its receptive
radius) and cropped afterwards, the result is the same (up to float
rounding) and every intermediate stays small.
"""
from typing import Iterator, Optional, Tuple

import torch

from .onednn_fusion import eager_cpu_inference

BAND_ELEMENTS = 1 << 20
"""Target number of elements of one intermediate map of a band (4 MiB in
float32); chosen on the development CPU, see docs/fast_inference.md."""


def band_height(x: torch.Tensor, channels: int) -> Optional[int]:
    """Rows per band for intermediate maps of ``channels`` channels over
    ``x`` (``B x C x H x W``), or None where banding does not apply.

    Bands are used in CPU inference only (no gradient recorded, not being
    compiled, traced or exported: those want one whole-map graph), and only
    when a whole intermediate map would exceed :data:`BAND_ELEMENTS`.
    """
    _, _, h, w = x.shape
    if not eager_cpu_inference(x) or channels * h * w <= BAND_ELEMENTS:
        return None
    return max(1, BAND_ELEMENTS // (channels * w))


def row_bands(height: int, rows: int, halo: int) -> Iterator[Tuple[slice, slice, slice]]:
    """Cover ``height`` rows with bands of ``rows`` rows.

    Yields, per band, ``(output, extended, crop)``: the band's rows in the
    full map, the rows the band reads (extended by ``halo`` on each side,
    clipped to the map) and the band's rows within the extended rows.
    """
    for start in range(0, height, rows):
        stop = min(height, start + rows)
        low, high = max(0, start - halo), min(height, stop + halo)
        yield slice(start, stop), slice(low, high), slice(start - low, stop - low)
