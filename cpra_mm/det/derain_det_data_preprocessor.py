"""``DerainDetDataPreprocessor``: MMDetection's data preprocessor with a
derainer in front."""
from mmdet.models.data_preprocessors import DetDataPreprocessor

from cpra_mm.downstream import DerainPreprocessingMixin


class DerainDetDataPreprocessor(DerainPreprocessingMixin, DetDataPreprocessor):
    """Derain the batch, then do what :class:`DetDataPreprocessor` does.

    The batch from the data loader (``3 x H_i x W_i`` uint8 tensors in BGR,
    sizes may differ) is moved to the model's device and each image is
    derained at its own size (images of one size together): converted to
    float RGB in [0, 1] for the derainer, and back to the batch's channel
    order at 0-255 scale (float32). The parent then flips the channels
    (``bgr_to_rgb``), normalises with ``mean``/``std``, pads
    (``pad_size_divisor``) and applies the batch augments as usual. See
    :class:`cpra_mm.downstream.DerainPreprocessingMixin` and
    :class:`cpra_mm.downstream.DerainStage` for freezing and tiling.

    Args:
        derainer (dict | nn.Module): derainer config, e.g.
            ``dict(type='CPRAformer', preset='small', layout='corrected')``.
        derainer_checkpoint (str, optional): its weights, loaded strictly at
            construction. Defaults to None (untrained, with a warning).
        trainable (bool): fine-tune the derainer with the detection loss.
            Defaults to False (frozen, eval mode, no gradients).
        derain_tile_size (int, optional): tile side for gradient-free
            deraining. Defaults to None (whole images).
        derain_tile_overlap (int): tile overlap in pixels. Defaults to 32.
        derain_channel_order (str, optional): ``'bgr'`` or ``'rgb'``, the
            batches' channel order when neither ``bgr_to_rgb`` nor
            ``rgb_to_bgr`` implies it. Defaults to None (BGR).
        **kwargs: every :class:`DetDataPreprocessor` argument (``mean``,
            ``std``, ``bgr_to_rgb``, ``pad_size_divisor``, ...).
    """
