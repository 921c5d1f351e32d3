"""Inference APIs: load a trained deraining network and apply it to images.

Nothing here imports ``mmagic.models``; configs are read with MMEngine and
the network is built from cpra_mm's own registry.

The downstream evaluation behind ``tools/eval_downstream.py`` (clean, rainy
and derained test configs, their evaluation, samples and report) lives in
the submodules ``downstream_task``, ``downstream_modes``,
``downstream_evaluation``, ``downstream_samples`` and ``downstream_report``;
import them directly (they are not imported here, which keeps this package
free of MMDetection, MMSegmentation and matplotlib). The downstream study
behind ``tools/analysis/downstream_study.py`` is in submodules too:
``study_plan`` (rows, configs, run order), ``config_training`` (training a
config in-process) and ``study_report`` (JSON, table, chart).
"""
from cpra_mm.utils.derainer_checkpoint import (CheckpointMismatchError, generator_state_dict,
                                               load_generator_weights, read_checkpoint)

from .derainer import BUILTIN_CHECKPOINT, derain, init_derainer
from .fast_derainer import FastDerainer
from .generator_builder import (build_generator, generator_config_from_config,
                                generator_config_from_meta)

__all__ = [
    'BUILTIN_CHECKPOINT', 'CheckpointMismatchError', 'FastDerainer', 'build_generator', 'derain',
    'generator_config_from_config', 'generator_config_from_meta', 'generator_state_dict',
    'init_derainer', 'load_generator_weights', 'read_checkpoint'
]
