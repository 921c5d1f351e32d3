"""Synthetic rain rendering (numpy + OpenCV, no OpenMMLab import)."""
from .blend_modes import BLEND_MODES
from .camera_degradation import (CameraParams, CameraSample, apply_camera,
                                 jpeg_round_trip, noise_field)
from .lens_drops import render_lens_drops
from .parameter_ranges import IntRange, Range
from .streak_renderer import (DENSITY_AREA, RainParams, RainSample,
                              RainStreakRenderer, StreakLayer, composite_rain,
                              fresh_generator, generator_for, map_unit_colour,
                              render_rain, render_streak_layer,
                              streak_kernel)

__all__ = [
    'BLEND_MODES', 'CameraParams', 'CameraSample', 'DENSITY_AREA', 'IntRange',
    'Range', 'RainParams', 'RainSample', 'RainStreakRenderer', 'StreakLayer',
    'apply_camera', 'composite_rain', 'fresh_generator', 'generator_for', 'jpeg_round_trip',
    'map_unit_colour',
    'noise_field', 'render_lens_drops', 'render_rain', 'render_streak_layer',
    'streak_kernel'
]
