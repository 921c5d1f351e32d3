"""``ModelInputRecorder``: the images a detector or segmenter actually saw,
for drawing its predictions on them."""
from typing import Any, Optional, Sequence, Union

import mmcv
import numpy as np
import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from cpra_mm.utils.image_io import PIXEL_MAX

from .derain_stage import CHANNEL_ORDERS, DerainStage

Images = Union[torch.Tensor, Sequence[torch.Tensor]]


class ModelInputRecorder:
    """Which image a model saw for each sample of a batch.

    Without a derain stage that is the batch the data loader gave the model
    (``data_batch['inputs']``: the image after the whole pipeline, with
    ``AddRain`` the rainy one). With a :class:`DerainStage` anywhere in the
    model (a derain data preprocessor, :class:`JointDerainTaskModel`) it is
    that stage's output, recorded by a forward hook on the stage while
    attached (docs/design_notes.md).

    Either way the image is returned as the dataset's original image would
    be read from disk (RGB, ``ori_shape``), so the predictions, which the
    frameworks give in original-image coordinates, fit it: an image the
    pipeline resized is resized back (flips are not undone).

    Use :meth:`attach` before the model runs (e.g. in a hook's
    ``before_test_epoch``), :meth:`image` after each step and
    :meth:`detach` at the end.

    Args:
        channel_order: ``'bgr'`` or ``'rgb'``, the channel order of the
            loader's images (``LoadImageFromFile`` gives BGR); a derain stage
            says its own.

    Raises:
        ValueError: for an unknown ``channel_order``.
    """

    def __init__(self, channel_order: str = 'bgr') -> None:
        if channel_order not in CHANNEL_ORDERS:
            raise ValueError(f'channel_order must be one of {CHANNEL_ORDERS}, got '
                             f'{channel_order!r}')
        self.channel_order = channel_order
        self.stage: Optional[DerainStage] = None
        self._handle: Optional[RemovableHandle] = None
        self._derained: Optional[Images] = None

    def attach(self, model: nn.Module) -> None:
        """Start recording the output of the first :class:`DerainStage` in
        ``model`` (wrappers such as DDP included); without one the loader's
        images are what the model saw and nothing is recorded."""
        self.detach()
        self.stage = next((m for m in model.modules() if isinstance(m, DerainStage)), None)
        if self.stage is not None:
            self._handle = self.stage.register_forward_hook(self._record)

    def detach(self) -> None:
        """Stop recording and forget the last derained batch."""
        if self._handle is not None:
            self._handle.remove()
        self._handle = None
        self._derained = None
        self.stage = None

    def _record(self, stage: nn.Module, args: Any, output: Images) -> None:
        """Forward hook: keep the stage's latest output."""
        self._derained = output

    def image(self, data_batch: dict, index: int, data_sample: Any) -> np.ndarray:
        """The image the model saw for sample ``index`` of ``data_batch``.

        Args:
            data_batch: the batch as the data loader gave it (``inputs``: a
                list of ``3 x H x W`` tensors or a ``B x 3 x H x W`` one).
            index: the sample's position in the batch.
            data_sample: its data sample (``ori_shape`` gives the size
                returned).

        Returns:
            ``H x W x 3`` uint8 RGB at ``ori_shape``: the derained image
            when the model has a derain stage, else the loader's image.

        Raises:
            RuntimeError: when the model has a derain stage but it has not
                run on a batch this large since :meth:`attach`.
        """
        if self.stage is None:
            shown, order = data_batch['inputs'][index], self.channel_order
        else:
            if self._derained is None or index >= len(self._derained):
                raise RuntimeError('ModelInputRecorder: the derain stage has not derained '
                                   f'image {index} of this batch; attach() before the model runs')
            shown, order = self._derained[index], self.stage.channel_order
        pixels = shown.detach().float().clamp(0, PIXEL_MAX).round().byte().cpu().numpy()
        pixels = pixels.transpose(1, 2, 0)
        rgb = np.ascontiguousarray(pixels[..., ::-1] if order == 'bgr' else pixels)
        height, width = data_sample.ori_shape[:2]
        if rgb.shape[:2] != (height, width):
            rgb = mmcv.imresize(rgb, (width, height))
        return rgb
