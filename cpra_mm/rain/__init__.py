"""Synthetic rain rendering (numpy + OpenCV, no OpenMMLab import)."""
from .streak_renderer import (DENSITY_AREA, IntRange, RainParams, RainSample,
                              RainStreakRenderer, Range, StreakLayer,
                              composite_rain, generator_for, render_rain,
                              render_streak_layer, streak_kernel)

__all__ = [
    'DENSITY_AREA', 'IntRange', 'Range', 'RainParams', 'RainSample',
    'RainStreakRenderer', 'StreakLayer', 'composite_rain', 'generator_for',
    'render_rain', 'render_streak_layer', 'streak_kernel'
]
