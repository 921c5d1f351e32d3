"""``DerainSegDataPreProcessor``: MMSegmentation's data preprocessor with a
derainer in front."""
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS

from cpra_mm.downstream import DerainPreprocessingMixin


@MODELS.register_module()
class DerainSegDataPreProcessor(DerainPreprocessingMixin, SegDataPreProcessor):
    """Derain the batch, then do what :class:`SegDataPreProcessor` does
    (channel flip, normalisation, padding to ``size``/``size_divisor`` or its
    ``test_cfg``).

    Takes the deraining arguments of
    :class:`cpra_mm.downstream.DerainPreprocessingMixin` (``derainer``,
    ``derainer_checkpoint``, ``trainable`` to fine-tune the derainer with the
    segmentation loss, ``derain_tile_size``, ...) and every
    :class:`SegDataPreProcessor` argument (``mean``, ``std``, ``size``,
    ``bgr_to_rgb``, ``pad_val``, ...).
    """
