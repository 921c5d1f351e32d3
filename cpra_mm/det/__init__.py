"""MMDetection side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.det'])``) registers
:class:`DerainDetDataPreprocessor` in the ``mmdet`` scope
and in cpra_mm's (``JointDerainTaskModel`` and ``KeepCleanCopy`` come with
``import cpra_mm``)."""
from mmdet.registry import MODELS as MMDET_MODELS

from cpra_mm.registry import MODELS

from .derain_det_data_preprocessor import DerainDetDataPreprocessor

for _registry in (MMDET_MODELS, MODELS):
    _registry.register_module(module=DerainDetDataPreprocessor, force=True)

__all__ = ['DerainDetDataPreprocessor']
