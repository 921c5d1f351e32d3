"""MMSegmentation side of cpra_mm: importing this module (``custom_imports=
dict(imports=['cpra_mm', 'cpra_mm.seg'])``) registers
:class:`DerainSegDataPreProcessor`, ``JointDerainTaskModel`` and the
``KeepCleanCopy`` transform in the ``mmseg`` scope (the preprocessor in
cpra_mm's scope too)."""
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS

from cpra_mm.downstream import JointDerainTaskModel, KeepCleanCopy
from cpra_mm.registry import MODELS

from .derain_seg_data_preprocessor import DerainSegDataPreProcessor

for _registry in (MMSEG_MODELS, MODELS):
    _registry.register_module(module=DerainSegDataPreProcessor, force=True)
MMSEG_MODELS.register_module(module=JointDerainTaskModel, force=True)
MMSEG_TRANSFORMS.register_module(module=KeepCleanCopy, force=True)

__all__ = ['DerainSegDataPreProcessor', 'JointDerainTaskModel', 'KeepCleanCopy']
