"""cpra_mm's registries, and their mirroring into MMagic, MMDetection and
MMSegmentation.

Every public module of cpra_mm that is framework-neutral (the network, its
losses, the rain transform) is registered once in the ``cpra_mm`` scope below
(children of mmengine's root registries, so ``type='cpra_mm.CPRAformer'``
resolves from any scope) and then mirrored into the ``mmagic``, ``mmdet`` and
``mmseg`` registries of whichever of those packages is installed, so configs
with ``default_scope='mmdet'`` (etc.) can say ``type='CPRAformer'``.

Only the frameworks' ``registry`` modules are imported here, never their model
zoos, so ``import cpra_mm`` stays light: the det/seg side never pulls in
``mmagic.models`` (diffusers, transformers).
"""
import importlib
from typing import Dict, Tuple

from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='cpra_mm',
                  locations=['cpra_mm'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='cpra_mm',
                      locations=['cpra_mm'])

DOWNSTREAM_SCOPES: Tuple[str, ...] = ('mmagic', 'mmdet', 'mmseg')


def _registries_of(scope: str) -> Dict[str, Registry]:
    """Return ``{'MODELS': ..., 'TRANSFORMS': ...}`` of an installed scope.

    Returns an empty dict when the package is not installed.
    """
    try:
        module = importlib.import_module(f'{scope}.registry')
    except ImportError:
        return {}
    return {'MODELS': module.MODELS, 'TRANSFORMS': module.TRANSFORMS}


def register_cpra_mm_modules() -> None:
    """Register cpra_mm's framework-neutral modules in the ``cpra_mm``
    scope."""
    from .datasets.transforms import AddRain, KeepCleanCopy
    from .downstream import JointDerainTaskModel
    from .losses import FFTLoss, LaplacianEdgeLoss
    from .models import CPRAformer

    for module in (CPRAformer, LaplacianEdgeLoss, FFTLoss, JointDerainTaskModel):
        MODELS.register_module(module=module, force=True)
    for module in (AddRain, KeepCleanCopy):
        TRANSFORMS.register_module(module=module, force=True)


def mirror_into_downstream_scopes() -> Tuple[str, ...]:
    """Register every module of cpra_mm's registries in the installed
    downstream scopes.

    Returns:
        The scopes that received the modules.
    """
    own = {'MODELS': MODELS, 'TRANSFORMS': TRANSFORMS}
    mirrored = []
    for scope in DOWNSTREAM_SCOPES:
        targets = _registries_of(scope)
        if not targets:
            continue
        for kind, registry in own.items():
            for name, module in registry.module_dict.items():
                targets[kind].register_module(name=name, module=module, force=True)
        mirrored.append(scope)
    return tuple(mirrored)
