"""The CPRAformer network in plain PyTorch (no OpenMMLab import)."""
from .cpraformer import CPRAformer
from .presets import LAYOUTS, PRESETS
from .tiled_inference import TiledInference, tiled_forward

__all__ = ['CPRAformer', 'LAYOUTS', 'PRESETS', 'TiledInference', 'tiled_forward']
