"""MMDetection side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.det'])``) registers
:class:`DerainDetDataPreprocessor` in the ``mmdet`` scope and in cpra_mm's,
and :class:`DerainDetVisualizationHook` in the ``mmdet`` scope
(``JointDerainTaskModel`` and ``KeepCleanCopy`` come with ``import
cpra_mm``)."""
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import MODELS as MMDET_MODELS

from cpra_mm.registry import MODELS

from .derain_det_data_preprocessor import DerainDetDataPreprocessor
from .derain_det_visualization_hook import DerainDetVisualizationHook

for _registry in (MMDET_MODELS, MODELS):
    _registry.register_module(module=DerainDetDataPreprocessor, force=True)
MMDET_HOOKS.register_module(module=DerainDetVisualizationHook, force=True)

__all__ = ['DerainDetDataPreprocessor', 'DerainDetVisualizationHook']
