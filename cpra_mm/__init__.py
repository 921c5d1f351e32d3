"""cpra_mm: the CPRAformer deraining transformer for MMagic, MMDetection and
MMSegmentation.

``import cpra_mm`` (or ``custom_imports=dict(imports=['cpra_mm'])`` in a
config) checks mmcv, applies the stack's compatibility shims and registers
the framework-neutral modules (the network, its losses, ``AddRain``,
``KeepCleanCopy``, ``PaintGraphics``, ``JointDerainTaskModel``) in the
``cpra_mm`` scope and in the mmagic, mmdet and mmseg scopes
(:mod:`cpra_mm.registration`). The framework-specific glue lives in
``cpra_mm.edit`` (MMagic model), ``cpra_mm.det`` and ``cpra_mm.seg`` (data
preprocessors, visualisation hooks), which register in their framework's
scope; configs import the one they need.
"""
import mmcv

from . import compat
from .installation import check_mmcv_version, register_config_package
from .registry import MODELS, TRANSFORMS
from .version import __version__

check_mmcv_version(mmcv.__version__)
compat.apply()
register_config_package()

from . import registration  # noqa: E402,F401  (after the mmcv check: it imports mmcv.transforms)

__all__ = ['MODELS', 'TRANSFORMS', '__version__']
