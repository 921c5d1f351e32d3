"""Registers cpra_mm's framework-neutral modules; ``import cpra_mm`` imports
this module once.

Modules built on OpenMMLab classes register themselves where they are
defined, with a decorator on the registry of their scope:
``KeepCleanCopy``, ``PaintGraphics`` and ``JointDerainTaskModel`` on
:mod:`cpra_mm.registry`'s; the framework glue on its framework's (``cpra_mm.edit``, ``cpra_mm.det``,
``cpra_mm.seg``). The network and its losses are plain PyTorch and import
no registry, so they are registered here, in the ``cpra_mm`` scope, as is
``AddRain``. Importing :mod:`cpra_mm.datasets.transforms` and
:mod:`cpra_mm.downstream` runs the decorators; then every module of the
``cpra_mm`` scope is shared with the installed frameworks
(:func:`cpra_mm.registry.share_with_frameworks`).

Nothing here imports MMagic, MMDetection or MMSegmentation beyond their
``registry`` modules.
"""
from . import downstream  # noqa: F401  (runs JointDerainTaskModel's decorator)
from .datasets.transforms import AddRain
from .losses import FFTLoss, LaplacianEdgeLoss, LocalMeanLoss, TextureEnergyLoss
from .models import CPRAformer
from .registry import MODELS, TRANSFORMS, share_with_frameworks

for _module in (CPRAformer, LaplacianEdgeLoss, FFTLoss, LocalMeanLoss, TextureEnergyLoss):
    MODELS.register_module(module=_module)
TRANSFORMS.register_module(module=AddRain)

share_with_frameworks()
