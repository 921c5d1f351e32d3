"""``DerainPreprocessingMixin``: the deraining half of the det/seg data
preprocessors, shared by both."""
from typing import Optional, Union

from torch import nn

from cpra_mm.utils.autocast_precision import check_precision

from .derain_stage import CHANNEL_ORDERS, DerainStage


def batch_channel_order(bgr_to_rgb: bool, rgb_to_bgr: bool,
                        derain_channel_order: Optional[str]) -> str:
    """The channel order of the batches a data preprocessor receives.

    ``bgr_to_rgb=True`` says the loader gives BGR, ``rgb_to_bgr=True`` that
    it gives RGB; with neither, ``derain_channel_order`` decides, and
    without it BGR is assumed (MMDetection's and MMSegmentation's
    ``LoadImageFromFile`` default).

    Raises:
        ValueError: when ``derain_channel_order`` contradicts the flags or is
            unknown.
    """
    implied = 'bgr' if bgr_to_rgb else 'rgb' if rgb_to_bgr else None
    if derain_channel_order is not None and derain_channel_order not in CHANNEL_ORDERS:
        raise ValueError(f'derain_channel_order must be one of {CHANNEL_ORDERS} or None, got '
                         f'{derain_channel_order!r}')
    if implied and derain_channel_order and implied != derain_channel_order:
        raise ValueError(f'derain_channel_order={derain_channel_order!r} contradicts '
                         f'bgr_to_rgb={bgr_to_rgb}, rgb_to_bgr={rgb_to_bgr} (inputs are '
                         f'{implied.upper()})')
    return implied or derain_channel_order or 'bgr'


class DerainPreprocessingMixin:
    """Runs a :class:`DerainStage` on the batch before a data preprocessor's
    own work.

    Put it first among the bases of a subclass of an MMEngine image data
    preprocessor (``class X(DerainPreprocessingMixin,
    DetDataPreprocessor)``): ``forward`` moves the batch to the model's
    device, derains it (:meth:`derain`), then hands it to the parent's
    ``forward`` (:meth:`normalize`: channel flip, normalisation, padding,
    batch augments), which sees images of the usual kind. The two halves are
    public so a wrapper model (:class:`JointDerainTaskModel`) can keep the
    derained images between them.

    The batch from the data loader (``3 x H_i x W_i`` uint8 tensors, BGR by
    default, sizes may differ) is derained with every image at its own size
    (images of one size in one call): converted to float RGB in [0, 1] for
    the derainer, and back to the batch's channel order at 0-255 scale
    (float32); see :class:`DerainStage` for freezing, tiling and the fast
    modes.

    The stage is the submodule ``derain_stage``: saved in the model's
    checkpoints, loading ``derainer_checkpoint`` when built
    (docs/design_notes.md).

    Args:
        derainer: config of the derainer (e.g. ``dict(type='CPRAformer',
            preset='small', layout='corrected')``) or a built module.
        derainer_checkpoint: weights of the derainer (MMagic checkpoint with
            ``generator.`` keys, ``{'state_dict': ...}`` or bare), loaded
            strictly; ``None`` keeps the initialisation (with a warning).
        trainable: fine-tune the derainer with the task loss; by default it
            is frozen (no gradients, eval mode).
        derain_tile_size: tile side for gradient-free deraining, ``None`` for
            whole images.
        derain_tile_overlap: overlap of the tiles in pixels.
        derain_channel_order: channel order of the incoming batches when
            neither ``bgr_to_rgb`` nor ``rgb_to_bgr`` says it (see
            :func:`batch_channel_order`); ``None`` means BGR.
        derain_precision: ``'fp32'``, or ``'bf16'`` / ``'fp16'`` autocast for
            gradient-free deraining (fp32, with a logged warning, where the
            device lacks the type).
        derain_compile: ``torch.compile`` the derainer for gradient-free
            deraining (eager, with a logged warning, where compilation
            fails).
        derain_align_streaks: derain steeply slanted rain on a sheared copy
            whose streaks stand upright (gradient-free calls; see
            :class:`DerainStage`).
        derain_flip_ensemble: average the derainer's passes on the images
            and on their left-right mirrors (gradient-free calls; twice the
            derainer's time; off by default; see :class:`DerainStage`).
        **kwargs: the parent data preprocessor's arguments.
    """

    derain_stage: DerainStage

    def __init__(self,
                 derainer: Union[dict, nn.Module],
                 derainer_checkpoint: Optional[str] = None,
                 trainable: bool = False,
                 derain_tile_size: Optional[int] = None,
                 derain_tile_overlap: int = 32,
                 derain_channel_order: Optional[str] = None,
                 derain_precision: str = 'fp32',
                 derain_compile: bool = False,
                 derain_align_streaks: bool = True,
                 derain_flip_ensemble: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.derain_stage = DerainStage(
            derainer,
            checkpoint=derainer_checkpoint,
            trainable=trainable,
            tile_size=derain_tile_size,
            tile_overlap=derain_tile_overlap,
            channel_order=batch_channel_order(
                kwargs.get('bgr_to_rgb', False), kwargs.get('rgb_to_bgr', False),
                derain_channel_order),
            precision=check_precision(derain_precision, 'derain_precision'),
            compile=derain_compile,
            align_streaks=derain_align_streaks,
            flip_ensemble=derain_flip_ensemble)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Derain, then preprocess as the parent does.

        Args:
            data: a batch from the data loader: ``inputs`` (a list of
                ``3 x H_i x W_i`` uint8 tensors, or a ``B x 3 x H x W``
                tensor) and ``data_samples``.
            training: whether this is a training step (batch augments).

        Returns:
            The parent's output for the derained batch.
        """
        return self.normalize(self.derain(data), training)

    def derain(self, data: dict) -> dict:
        """Move the batch to the model's device and derain its ``inputs``;
        they come back as float32 at 0-255 scale in the batch's channel order,
        each image at its own size."""
        data = self.cast_data(data)
        return {**data, 'inputs': self.derain_stage(data['inputs'])}

    def normalize(self, data: dict, training: bool = False) -> dict:
        """The parent data preprocessor's ``forward`` (no deraining)."""
        return super().forward(data, training)
