"""cpra_mm's registries (the ``cpra_mm`` scope), and the one step that makes
their modules visible in MMagic's, MMDetection's and MMSegmentation's.

The registries are children of mmengine's root registries, so
``type='cpra_mm.CPRAformer'`` resolves from any scope. A type without a
scope prefix resolves only in the default scope's registry and its
ancestors, never in a sibling scope such as ``cpra_mm``; so that configs
with ``default_scope='mmdet'`` (etc.) can say ``type='CPRAformer'``,
:func:`share_with_frameworks` registers every module of these registries in
the installed frameworks' registries too.

Only the frameworks' ``registry`` modules are imported here, never their
model zoos, and nothing of cpra_mm: every module of the package may import
this one.
"""
import importlib
from typing import Tuple

from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='cpra_mm',
                  locations=['cpra_mm'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='cpra_mm',
                      locations=['cpra_mm'])

FRAMEWORK_SCOPES: Tuple[str, ...] = ('mmagic', 'mmdet', 'mmseg')
"""The scopes whose configs use cpra_mm's modules without a scope prefix."""


def share_with_frameworks() -> Tuple[str, ...]:
    """Register every module of :data:`MODELS` and :data:`TRANSFORMS`, under
    the same name, in the ``MODELS`` and ``TRANSFORMS`` registries of each
    installed framework of :data:`FRAMEWORK_SCOPES`.

    A module a framework registry already holds under its name is skipped,
    so calling this again changes nothing; a framework's own module is
    never replaced.

    Returns:
        The scopes whose registries received the modules (the installed
        frameworks).

    Raises:
        KeyError: when a framework registry holds another module under the
            name of one of cpra_mm's (mmengine's message names both).
    """
    shared = []
    for scope in FRAMEWORK_SCOPES:
        try:
            framework = importlib.import_module(f'{scope}.registry')
        except ImportError:
            continue
        for own, theirs in ((MODELS, framework.MODELS), (TRANSFORMS, framework.TRANSFORMS)):
            for name, module in own.module_dict.items():
                if theirs.module_dict.get(name) is not module:
                    theirs.register_module(name=name, module=module)
        shared.append(scope)
    return tuple(shared)
