"""MMagic-side pieces of cpra_mm: importing this module registers
:class:`DerainRestorer` in ``mmagic.registry.MODELS``.

It imports ``mmagic.models`` (and with it diffusers and transformers), so
only MMagic configs list it in ``custom_imports``; the MMDetection and
MMSegmentation sides never import it.
"""
from .derain_restorer import DerainRestorer

__all__ = ['DerainRestorer']
