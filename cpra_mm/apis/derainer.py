"""High-level deraining: load a trained CPRAformer and apply it to images.

Example::

    from cpra_mm.apis import derain, init_derainer

    model = init_derainer()                       # the built-in small model
    model = init_derainer(precision='bf16', compile=True)   # opt-in fast modes
    model = init_derainer(
        'configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py',
        'work_dirs/cpraformer_small-corrected_1xb8-2000iter_builtin-photos/iter_2000.pth')
    clean = derain(model, rainy_rgb_uint8)        # H x W x 3 uint8 in and out
"""
from pathlib import Path
from typing import Optional, Union

import numpy as np
import torch
from torch import nn

from cpra_mm.models import inference_forward, tiled_forward
from cpra_mm.utils.autocast_precision import check_precision
from cpra_mm.utils.derainer_checkpoint import (checkpoint_meta, generator_state_dict,
                                               load_generator_weights, read_checkpoint)
from cpra_mm.utils.shipped_weights import BUILTIN_DERAINER, WEIGHTS_DIR

from .fast_derainer import FastDerainer
from .generator_builder import (ConfigLike, build_generator, generator_config_from_config,
                                generator_config_from_meta)

BUILTIN_CHECKPOINT = WEIGHTS_DIR / BUILTIN_DERAINER
"""The built-in small model trained on photographs (a bare state dict plus
``meta`` with ``preset`` and ``layout``)."""

FLOAT_RANGE_TOLERANCE = 1e-3
"""How far float inputs may stray outside [0, 1] (rounding) before
:func:`derain` rejects them as being on another scale."""

Image = Union[np.ndarray, torch.Tensor]


def init_derainer(config: Optional[ConfigLike] = None,
                  checkpoint: Optional[Union[str, Path]] = None,
                  device: Union[str, torch.device] = 'cpu', precision: str = 'fp32',
                  compile: bool = False) -> nn.Module:
    """Build a deraining network and load its trained weights.

    Args:
        config: an MMagic config (file name or :class:`mmengine.Config`)
            whose ``model.generator`` describes the network, e.g.
            ``dict(type='CPRAformer', preset='small', layout='corrected')``.
            None builds it from the checkpoint's ``meta`` (``preset``,
            ``layout``), which the built-in weights carry.
        checkpoint: an MMEngine/MMagic training checkpoint (the network
            under ``state_dict['generator.*']``), a ``{'state_dict': ...}``
            one or a bare state dict. None: :data:`BUILTIN_CHECKPOINT`.
        device: where the network is placed, e.g. ``'cpu'`` or ``'cuda:0'``.
        precision: ``'fp32'``, or ``'bf16'`` / ``'fp16'`` autocast (where
            ``device`` lacks the type: fp32, with a logged warning).
        compile: compile the network with ``torch.compile`` on its first call
            (where compilation fails: eager, with a logged warning).

    Returns:
        The network in eval mode on ``device``; it maps ``B x 3 x H x W``
        float RGB in [0, 1] to the same shape and range. With a fast mode
        (``precision != 'fp32'`` or ``compile``) it is wrapped in a
        :class:`~cpra_mm.apis.fast_derainer.FastDerainer` (the network is its
        ``network``, its weights frozen: ``requires_grad=False``, so that
        ``compile`` uses inductor's freezing), whose outputs are float32 in
        [0, 1]; their difference to fp32 is measured in
        ``docs/fast_inference.md``.

    Raises:
        FileNotFoundError: the config or checkpoint file (the built-in one
            when none is given) does not exist.
        ValueError: an unreadable checkpoint, ``config=None`` with a
            checkpoint that has no ``meta['preset']``, or an unknown
            ``precision``.
        CheckpointMismatchError: the weights do not fit the network (the
            message lists missing, unexpected and reshaped keys).
    """
    check_precision(precision)
    if checkpoint is None:
        if not BUILTIN_CHECKPOINT.is_file():
            raise FileNotFoundError(f'the built-in model {BUILTIN_CHECKPOINT} is not installed; '
                                    'pass checkpoint= (and config=) of a trained model')
        checkpoint = BUILTIN_CHECKPOINT
    loaded = read_checkpoint(checkpoint)
    if config is None:
        generator = generator_config_from_meta(checkpoint_meta(loaded), checkpoint)
    else:
        generator = generator_config_from_config(config)
    model = build_generator(generator)
    load_generator_weights(model, generator_state_dict(loaded, checkpoint), checkpoint)
    model = model.to(device).eval()
    if precision == 'fp32' and not compile:
        return model
    return FastDerainer(model.requires_grad_(False), precision=precision, compile=compile).eval()


def derain(model: nn.Module, image: Image, tile_size: Optional[int] = 512,
           overlap: int = 32, align_streaks: bool = True,
           flip_ensemble: bool = False) -> Image:
    """Remove rain from one image or a batch.

    The model runs in eval mode (its mode is restored afterwards) under
    ``torch.no_grad()``, on the device and in the dtype of its parameters;
    images larger than ``tile_size`` on either side are processed in
    overlapping tiles blended across the seams
    (:func:`~cpra_mm.models.tiled_forward`). With ``align_streaks`` each
    image (or tile) whose rain is slanted 30-50 degrees from vertical is
    derained on a copy sheared so that its streaks stand upright
    (:func:`~cpra_mm.models.streak_aligned_forward`).

    Args:
        model: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same shape,
            e.g. from :func:`init_derainer`.
        image: one of

            * ``H x W x 3`` RGB numpy array of dtype uint8 or uint16 (full
              integer range);
            * ``H x W x 3`` RGB numpy float array in [0, 1];
            * ``B x 3 x H x W`` float RGB tensor in [0, 1], on any device.
        tile_size: tile side in pixels; None processes the image whole.
        overlap: overlap of neighbouring tiles in pixels, ``< tile_size``.
        align_streaks: align steeply slanted rain before deraining.
        flip_ensemble: average the network's passes on the image and on
            its mirror (twice the network time); off by default.

    Returns:
        The derained image, of the input's type, shape and dtype (and, for
        tensors, device): integers rounded, floats in [0, 1].

    Raises:
        TypeError: an unsupported type or dtype.
        ValueError: a wrong shape, or float values outside [0, 1].
    """
    batch = _to_batch(image)
    parameter = next(model.parameters(), None)
    if parameter is not None:
        batch = batch.to(device=parameter.device, dtype=parameter.dtype)
    forward = inference_forward(model, align_streaks, flip_ensemble)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            if tile_size is None:
                restored = forward(batch)
            else:
                restored = tiled_forward(forward, batch, tile_size=tile_size, overlap=overlap)
    finally:
        model.train(was_training)
    return _from_batch(restored.clamp(0, 1), image)


def _to_batch(image: Image) -> torch.Tensor:
    """``image`` as a ``1 x 3 x H x W`` (or ``B x 3 x H x W``) float tensor
    in [0, 1]."""
    if isinstance(image, torch.Tensor):
        if image.dim() != 4 or image.shape[1] != 3:
            raise ValueError(f'a tensor image must be B x 3 x H x W, got {tuple(image.shape)}')
        if not image.is_floating_point():
            raise TypeError(f'a tensor image must be float in [0, 1], got {image.dtype}')
        _check_unit_range(image.min().item(), image.max().item())
        return image
    if not isinstance(image, np.ndarray):
        raise TypeError(f'image must be a numpy array or a torch.Tensor, got '
                        f'{type(image).__name__}')
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'a numpy image must be H x W x 3 RGB, got shape {image.shape}')
    if image.dtype in (np.uint8, np.uint16):
        scaled = image.astype(np.float32) / np.iinfo(image.dtype).max
    elif np.issubdtype(image.dtype, np.floating):
        _check_unit_range(float(image.min()), float(image.max()))
        scaled = image.astype(np.float32)
    else:
        raise TypeError(f'a numpy image must be uint8, uint16 or float in [0, 1], got '
                        f'{image.dtype}')
    return torch.from_numpy(np.ascontiguousarray(scaled.transpose(2, 0, 1)))[None]


def _from_batch(restored: torch.Tensor, like: Image) -> Image:
    """Convert the network's output back to the type, device and dtype of
    the input ``like``."""
    if isinstance(like, torch.Tensor):
        return restored.to(device=like.device, dtype=like.dtype)
    rgb = restored[0].float().cpu().numpy().transpose(1, 2, 0)
    if like.dtype in (np.uint8, np.uint16):
        return np.round(rgb * np.iinfo(like.dtype).max).astype(like.dtype)
    return rgb.astype(like.dtype)


def _check_unit_range(low: float, high: float) -> None:
    if low < -FLOAT_RANGE_TOLERANCE or high > 1 + FLOAT_RANGE_TOLERANCE:
        raise ValueError(f'float images must be in [0, 1], got values in [{low:g}, {high:g}] '
                         '(divide 8-bit values by 255)')
