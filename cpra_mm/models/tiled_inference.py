"""Tiled inference for images too large to process whole."""
from typing import Callable, List

import torch
from torch import nn


def _tile_starts(length: int, tile: int, stride: int) -> List[int]:
    """Start offsets that cover ``[0, length)`` with tiles of ``tile``; the
    last tile is aligned to the end."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)
    return starts


def _ramp(length: int, overlap: int, fade_in: bool, fade_out: bool,
          device: torch.device) -> torch.Tensor:
    """1-D blending weights: linear ramps over ``overlap`` pixels at the
    sides that overlap a neighbour, 1 elsewhere; never 0."""
    weights = torch.ones(length, device=device)
    ramp_len = min(overlap, length)
    if ramp_len > 0:
        ramp = torch.arange(1, ramp_len + 1, device=device, dtype=torch.float32) / (ramp_len + 1)
        if fade_in:
            weights[:ramp_len] = torch.minimum(weights[:ramp_len], ramp)
        if fade_out:
            weights[-ramp_len:] = torch.minimum(weights[-ramp_len:], ramp.flip(0))
    return weights


@torch.no_grad()
def tiled_forward(model: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor,
                  tile_size: int = 256, overlap: int = 32) -> torch.Tensor:
    """Run an image-to-image model over overlapping tiles and blend the seams.

    Tiles of ``tile_size`` (the last ones aligned to the image border)
    overlap by ``overlap`` pixels; each output tile is weighted by linear
    ramps across its overlaps, so seams fade smoothly. Only one tile's
    activations live at a time, so peak memory is bounded by the tile size
    plus two full-size float32 accumulators. Images no larger than one tile
    run in a single call.

    Args:
        model: maps ``B x C x h x w`` to the same shape.
        image: ``B x C x H x W`` float.
        tile_size: tile side in pixels (a multiple of 8 avoids padding).
        overlap: overlap between neighbouring tiles, ``0 <= overlap < tile_size``.

    Returns:
        ``B x C x H x W`` in the dtype of ``image``.
    """
    if tile_size < 1:
        raise ValueError(f'tile_size must be >= 1, got {tile_size}')
    if not 0 <= overlap < tile_size:
        raise ValueError(f'overlap must be in [0, tile_size={tile_size}), got {overlap}')
    b, c, h, w = image.shape
    if h <= tile_size and w <= tile_size:
        return model(image)
    stride = tile_size - overlap
    ys, xs = _tile_starts(h, tile_size, stride), _tile_starts(w, tile_size, stride)
    out = torch.zeros(b, c, h, w, dtype=torch.float32, device=image.device)
    norm = torch.zeros(1, 1, h, w, dtype=torch.float32, device=image.device)
    for y in ys:
        th = min(tile_size, h)
        wy = _ramp(th, overlap, y > 0, y + th < h, image.device)
        for x in xs:
            tw = min(tile_size, w)
            wx = _ramp(tw, overlap, x > 0, x + tw < w, image.device)
            weight = (wy[:, None] * wx[None, :])[None, None]
            tile = model(image[:, :, y:y + th, x:x + tw])
            out[:, :, y:y + th, x:x + tw] += tile.float() * weight
            norm[:, :, y:y + th, x:x + tw] += weight
    return (out / norm).to(image.dtype)


class TiledInference(nn.Module):
    """Wrap an image-to-image model so that ``forward`` runs it tile by tile
    (see :func:`tiled_forward`); same call signature as the wrapped model.

    Args:
        model: the image-to-image network.
        tile_size: tile side in pixels.
        overlap: overlap between tiles in pixels.
    """

    def __init__(self, model: nn.Module, tile_size: int = 256, overlap: int = 32) -> None:
        super().__init__()
        if tile_size < 1 or not 0 <= overlap < tile_size:
            raise ValueError(f'need tile_size >= 1 and 0 <= overlap < tile_size, got '
                             f'tile_size={tile_size}, overlap={overlap}')
        self.model = model
        self.tile_size = tile_size
        self.overlap = overlap

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return tiled_forward(self.model, image, self.tile_size, self.overlap)
