"""The CPRAformer network in plain PyTorch (no OpenMMLab import)."""
from .cpraformer import CPRAformer
from .flip_ensemble import flip_ensemble_forward
from .inference_forward import inference_forward
from .presets import LAYOUTS, PRESETS
from .streak_alignment import estimate_streak_angle, streak_aligned_forward
from .tiled_inference import TiledInference, tiled_forward

__all__ = ['CPRAformer', 'LAYOUTS', 'PRESETS', 'TiledInference', 'estimate_streak_angle',
           'flip_ensemble_forward', 'inference_forward', 'streak_aligned_forward', 'tiled_forward']
