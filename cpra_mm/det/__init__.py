"""MMDetection side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.det'])``) registers
:class:`DerainDetDataPreprocessor`, ``JointDerainTaskModel`` and the
``KeepCleanCopy`` transform in the ``mmdet`` scope (the preprocessor in
cpra_mm's scope too)."""
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS

from cpra_mm.downstream import JointDerainTaskModel, KeepCleanCopy
from cpra_mm.registry import MODELS

from .derain_det_data_preprocessor import DerainDetDataPreprocessor

for _registry in (MMDET_MODELS, MODELS):
    _registry.register_module(module=DerainDetDataPreprocessor, force=True)
MMDET_MODELS.register_module(module=JointDerainTaskModel, force=True)
MMDET_TRANSFORMS.register_module(module=KeepCleanCopy, force=True)

__all__ = ['DerainDetDataPreprocessor', 'JointDerainTaskModel', 'KeepCleanCopy']
