"""MMSegmentation side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.seg'])``) registers
:class:`DerainSegDataPreProcessor` and :class:`DerainSegVisualizationHook`
in the ``mmseg`` scope (``JointDerainTaskModel`` and ``KeepCleanCopy`` come
with ``import cpra_mm``)."""
from .derain_seg_data_preprocessor import DerainSegDataPreProcessor
from .derain_seg_visualization_hook import DerainSegVisualizationHook

__all__ = ['DerainSegDataPreProcessor', 'DerainSegVisualizationHook']
