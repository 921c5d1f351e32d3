"""``DerainStage``: a derainer placed in front of a downstream network."""
import logging
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.logging import print_log
from torch import nn

from cpra_mm.models import inference_forward, tiled_forward
from cpra_mm.registry import MODELS
from cpra_mm.utils.derainer_checkpoint import load_derainer_weights
from cpra_mm.utils.fast_forward import FastForward
from cpra_mm.utils.image_io import PIXEL_MAX

CHANNEL_ORDERS = ('bgr', 'rgb')

Images = Union[torch.Tensor, Sequence[torch.Tensor]]


class DerainStage(nn.Module):
    """Derain a batch of images as a data loader produces them.

    The batch is converted to what the derainer expects (float RGB in
    [0, 1]), derained, and converted back to the batch's own channel order
    and 0-255 scale, so whatever follows (normalisation, padding, the
    detector or segmenter) sees images of the usual kind. Images of the same
    size are derained together, each size group in one call, and every image
    keeps its own size.

    Frozen (``trainable=False``, the default), the derainer's parameters
    have ``requires_grad=False``, it runs under ``torch.no_grad()``, and it
    stays in eval mode when the stage is put in training mode (so the
    CPRAformer output stays clamped to [0, 1] and no normalisation
    statistics move). Trainable, it follows the stage's mode and records
    gradients, so a task loss fine-tunes it.

    With ``tile_size``, inference that records no gradient (every frozen
    call; a trainable derainer under the validation and test loops) runs tile
    by tile (:func:`cpra_mm.models.tiled_forward`), which bounds the memory a
    large image needs; gradient-recording calls always run whole images.

    The same gradient-free calls run in the opt-in fast modes: ``precision``
    (bf16 / fp16 autocast; fp32 with a logged warning where the device
    lacks the type) and ``compile`` (``torch.compile`` on the first call;
    eager with a logged warning where compilation fails), see
    :class:`~cpra_mm.utils.fast_forward.FastForward`. Their outputs are
    float32 like fp32's; the difference to fp32 is measured in
    ``docs/fast_inference.md``. Gradient-recording calls (joint
    fine-tuning) always run eagerly in fp32. Neither mode changes the state
    dict.

    With ``align_streaks`` (the default), the same gradient-free calls
    derain each image (or tile) whose rain is slanted 30-50 degrees from
    vertical on a copy sheared so that its streaks stand upright
    (:func:`~cpra_mm.models.streak_aligned_forward`); other images run as
    they are. With ``flip_ensemble`` (off by default), each network call in
    them is the mean of the network on the images and on their left-right
    mirrors (:func:`~cpra_mm.models.flip_ensemble_forward`; two passes).

    Args:
        derainer: config of the network (e.g. ``dict(type='CPRAformer',
            preset='small', layout='corrected')``, built from cpra_mm's
            ``MODELS`` in the current default scope) or a built module; it
            maps ``B x 3 x H x W`` float RGB in [0, 1] to the same shape.
        checkpoint: weights loaded now, with
            :func:`~cpra_mm.utils.derainer_checkpoint.load_derainer_weights`
            (MMagic checkpoint with ``generator.`` keys, ``{'state_dict':
            ...}`` or bare); ``None`` keeps the initialisation and warns.
        trainable: let the derainer be fine-tuned (see above).
        tile_size: tile side in pixels for gradient-free calls, or ``None``
            for whole images.
        tile_overlap: overlap of neighbouring tiles in pixels,
            ``0 <= tile_overlap < tile_size``.
        channel_order: ``'bgr'`` or ``'rgb'``, the channel order of the
            batches (MMDetection's and MMSegmentation's loaders give BGR).
        precision: ``'fp32'``, ``'bf16'`` or ``'fp16'`` (autocast) for
            gradient-free calls.
        compile: compile the derainer with ``torch.compile`` for
            gradient-free calls.
        align_streaks: align steeply slanted rain in gradient-free calls.
        flip_ensemble: average the passes on the images and their mirrors
            in gradient-free calls (twice the derainer's time).

    Raises:
        TypeError: when ``derainer`` is neither a dict nor a module.
        ValueError: naming the argument, for an unknown ``channel_order`` or
            ``precision`` or tile settings out of range; or an unreadable
            ``checkpoint``.
        FileNotFoundError: a local ``checkpoint`` that does not exist.
        CheckpointMismatchError: a ``checkpoint`` whose weights do not fit
            the derainer (the message names it and the keys).
    """

    def __init__(self,
                 derainer: Union[dict, nn.Module],
                 checkpoint: Optional[str] = None,
                 trainable: bool = False,
                 tile_size: Optional[int] = None,
                 tile_overlap: int = 32,
                 channel_order: str = 'bgr',
                 precision: str = 'fp32',
                 compile: bool = False,
                 align_streaks: bool = True,
                 flip_ensemble: bool = False) -> None:
        super().__init__()
        if isinstance(derainer, nn.Module):
            self.derainer = derainer
        elif isinstance(derainer, dict):
            self.derainer = MODELS.build(derainer)
        else:
            raise TypeError(f'derainer must be a config dict or an nn.Module, got '
                            f'{type(derainer).__name__}')
        if channel_order not in CHANNEL_ORDERS:
            raise ValueError(f'channel_order must be one of {CHANNEL_ORDERS}, got '
                             f'{channel_order!r}')
        if tile_size is not None and (tile_size < 1 or not 0 <= tile_overlap < tile_size):
            raise ValueError(f'need tile_size >= 1 and 0 <= tile_overlap < tile_size, got '
                             f'tile_size={tile_size}, tile_overlap={tile_overlap}')
        if checkpoint is not None:
            load_derainer_weights(self.derainer, checkpoint)
        else:
            print_log('DerainStage: no derainer checkpoint given, the derainer keeps its '
                      'initial (untrained) weights', logger='current', level=logging.WARNING)
        self.checkpoint = checkpoint
        self.trainable = trainable
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self.channel_order = channel_order
        self.align_streaks = align_streaks
        self.flip_ensemble = flip_ensemble
        self.fast_forward = FastForward(self.derainer, precision=precision, compile=compile)
        if not trainable:
            self.derainer.requires_grad_(False)
            self.derainer.eval()

    def train(self, mode: bool = True) -> 'DerainStage':
        """Set the training mode; a frozen derainer stays in eval mode."""
        super().train(mode)
        if not self.trainable:
            self.derainer.eval()
        return self

    def to_unit_rgb(self, images: torch.Tensor) -> torch.Tensor:
        """``B x 3 x H x W`` in the batch's order and 0-255 scale (any dtype)
        to float RGB in [0, 1]."""
        unit = images.float() / PIXEL_MAX
        return unit.flip(1) if self.channel_order == 'bgr' else unit

    def from_unit_rgb(self, images: torch.Tensor) -> torch.Tensor:
        """``B x 3 x H x W`` float RGB in [0, 1] to float in the batch's
        order and 0-255 scale."""
        scaled = images * PIXEL_MAX
        return scaled.flip(1) if self.channel_order == 'bgr' else scaled

    def forward(self, images: Images) -> Images:
        """Derain a batch.

        Args:
            images: a list of ``3 x H_i x W_i`` tensors (sizes may differ) or
                a ``B x 3 x H x W`` tensor; uint8 or float, 0-255 scale, in
                ``channel_order``.

        Returns:
            The derained images in the same container, shapes, channel order
            and 0-255 scale, as float32 (not rounded; in [0, 255] unless a
            trainable derainer runs in training mode, whose output is not
            clamped).
        """
        if isinstance(images, torch.Tensor):
            if images.dim() != 4:
                raise ValueError(f'DerainStage expects B x 3 x H x W or a list of 3 x H x W '
                                 f'tensors, got a tensor of shape {tuple(images.shape)}')
            return self._derain_batch(images)
        return self._derain_list(list(images))

    def _derain_list(self, images: List[torch.Tensor]) -> List[torch.Tensor]:
        """Derain each size group of ``images`` in one call; keep the
        order."""
        groups: Dict[Tuple[int, int], List[int]] = {}
        for index, image in enumerate(images):
            if image.dim() != 3:
                raise ValueError(f'DerainStage expects 3 x H x W images, image {index} has '
                                 f'shape {tuple(image.shape)}')
            groups.setdefault(tuple(image.shape[-2:]), []).append(index)
        derained: List[Optional[torch.Tensor]] = [None] * len(images)
        for indices in groups.values():
            batch = self._derain_batch(torch.stack([images[i] for i in indices]))
            for index, image in zip(indices, batch):
                derained[index] = image
        return derained

    def _derain_batch(self, images: torch.Tensor) -> torch.Tensor:
        """``B x 3 x H x W`` (batch order, 0-255) to the derained batch."""
        if images.shape[1] != 3:
            raise ValueError(f'DerainStage derains 3-channel images, got shape '
                             f'{tuple(images.shape)}')
        with torch.set_grad_enabled(self.trainable and torch.is_grad_enabled()):
            rgb = self.to_unit_rgb(images)
            if torch.is_grad_enabled():
                derained = self.derainer(rgb)
            else:
                forward = inference_forward(self.fast_forward, self.align_streaks,
                                            self.flip_ensemble)
                derained = (forward(rgb) if self.tile_size is None else
                            tiled_forward(forward, rgb, self.tile_size, self.tile_overlap))
            return self.from_unit_rgb(derained)

    def extra_repr(self) -> str:
        return (f'checkpoint={self.checkpoint!r}, trainable={self.trainable}, '
                f'tile_size={self.tile_size}, tile_overlap={self.tile_overlap}, '
                f'channel_order={self.channel_order!r}, '
                f'precision={self.fast_forward.precision!r}, compile={self.fast_forward.compile}, '
                f'align_streaks={self.align_streaks}, flip_ensemble={self.flip_ensemble}')
