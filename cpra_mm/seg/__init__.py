"""MMSegmentation side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.seg'])``) registers
:class:`DerainSegDataPreProcessor` in the ``mmseg`` scope and in cpra_mm's,
and :class:`DerainSegVisualizationHook` in the ``mmseg`` scope
(``JointDerainTaskModel`` and ``KeepCleanCopy`` come with ``import
cpra_mm``)."""
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import MODELS as MMSEG_MODELS

from cpra_mm.registry import MODELS

from .derain_seg_data_preprocessor import DerainSegDataPreProcessor
from .derain_seg_visualization_hook import DerainSegVisualizationHook

for _registry in (MMSEG_MODELS, MODELS):
    _registry.register_module(module=DerainSegDataPreProcessor, force=True)
MMSEG_HOOKS.register_module(module=DerainSegVisualizationHook, force=True)

__all__ = ['DerainSegDataPreProcessor', 'DerainSegVisualizationHook']
