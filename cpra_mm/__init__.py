"""cpra_mm: the CPRAformer deraining transformer for MMagic, MMDetection and
MMSegmentation.

``import cpra_mm`` (or ``custom_imports=dict(imports=['cpra_mm'])`` in a
config) applies the stack's compatibility shims and registers the network,
its losses and the ``AddRain`` transform in the ``cpra_mm`` scope and in the
mmagic, mmdet and mmseg scopes. The framework-specific glue lives in
``cpra_mm.edit`` (MMagic model), ``cpra_mm.det`` and ``cpra_mm.seg`` (data
preprocessors); configs import the one they need.
"""
import mmcv

from . import compat
from .installation import check_mmcv_version, register_config_package
from .registry import MODELS, TRANSFORMS, mirror_into_downstream_scopes, register_cpra_mm_modules
from .version import __version__

check_mmcv_version(mmcv.__version__)
compat.apply()
register_config_package()
register_cpra_mm_modules()
mirror_into_downstream_scopes()

__all__ = ['MODELS', 'TRANSFORMS', '__version__']
