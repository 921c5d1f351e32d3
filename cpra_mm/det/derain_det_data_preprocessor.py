"""``DerainDetDataPreprocessor``: MMDetection's data preprocessor with a
derainer in front."""
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS

from cpra_mm.downstream import DerainPreprocessingMixin


@MODELS.register_module()
class DerainDetDataPreprocessor(DerainPreprocessingMixin, DetDataPreprocessor):
    """Derain the batch, then do what :class:`DetDataPreprocessor` does
    (channel flip, normalisation, padding to ``pad_size_divisor``, batch
    augments).

    Takes the deraining arguments of
    :class:`cpra_mm.downstream.DerainPreprocessingMixin` (``derainer``,
    ``derainer_checkpoint``, ``trainable`` to fine-tune the derainer with the
    detection loss, ``derain_tile_size``, ...) and every
    :class:`DetDataPreprocessor` argument (``mean``, ``std``, ``bgr_to_rgb``,
    ``pad_size_divisor``, ...).
    """
