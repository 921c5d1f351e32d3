"""MMDetection side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.det'])``) registers
:class:`DerainDetDataPreprocessor` and :class:`DerainDetVisualizationHook`
in the ``mmdet`` scope (``JointDerainTaskModel`` and ``KeepCleanCopy`` come
with ``import cpra_mm``)."""
from .derain_det_data_preprocessor import DerainDetDataPreprocessor
from .derain_det_visualization_hook import DerainDetVisualizationHook

__all__ = ['DerainDetDataPreprocessor', 'DerainDetVisualizationHook']
