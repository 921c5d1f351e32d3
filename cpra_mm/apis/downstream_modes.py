"""The three test configs of a detector or segmenter: ``clean`` (its own),
``rainy`` (rain in the test pipeline) and ``derained`` (rainy, with a derain
stage in the data preprocessor).

A config with chain config files beside it (the demo's
``configs/demo/shapes-detector_rainy.py`` and
``shapes-detector_cpraformer-frozen_rainy.py`` for ``shapes_detector.py``)
gets its rainy and derained modes from those files; any other config
(``mmdet::retinanet/...``, a user's file) gets them derived with
:func:`cpra_mm.downstream.chain_config.add_rain` and
:func:`~cpra_mm.downstream.chain_config.add_derain_stage`, the functions the
chain files are written with, so both ways give the same test.
"""
import copy
import importlib
import os.path as osp
from typing import Any, Dict, Optional, Tuple

from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope

from cpra_mm.downstream.chain_config import add_derain_stage, add_rain
from cpra_mm.utils.pipeline_edit import type_name

from .downstream_task import TASKS, detect_task

MODES: Tuple[str, ...] = ('clean', 'rainy', 'derained')
"""Evaluation modes, in table order."""

CHAIN_SUFFIXES: Dict[str, str] = {'rainy': 'rainy', 'derained': 'cpraformer-frozen_rainy'}
"""File name suffix of each mode's chain config: ``<name>_<suffix>.py`` beside
``<name>.py``, with the name's ``_`` written ``-`` (OpenMMLab's field
separator is ``_``)."""


def chain_config_file(config: str, mode: str) -> Optional[str]:
    """The chain config of ``mode`` beside the config file ``config``
    (see :data:`CHAIN_SUFFIXES`), or None when there is none (also for the
    clean mode and package configs such as ``mmdet::...``)."""
    if mode not in CHAIN_SUFFIXES or '::' in config:
        return None
    folder, name = osp.split(osp.splitext(config)[0])
    path = osp.join(folder, f'{name.replace("_", "-")}_{CHAIN_SUFFIXES[mode]}.py')
    return path if osp.isfile(path) else None


def eval_dataset_cfg(cfg: Config) -> ConfigDict:
    """``cfg.test_dataloader.dataset``, which must have its own pipeline.

    Raises:
        ValueError: for a dataset wrapper without ``pipeline``.
    """
    dataset = cfg.test_dataloader.dataset
    if 'pipeline' not in dataset:
        raise ValueError(f'{cfg.filename}: test_dataloader.dataset ({dataset.get("type")}) has '
                         'no pipeline of its own; dataset wrappers are not supported')
    return dataset


def derive_mode_config(clean: Config, mode: str, rain_seed: int = 0,
                       rainy_dir: Optional[str] = None,
                       derainer: Optional[Dict[str, Any]] = None,
                       derainer_checkpoint: Optional[str] = None,
                       derain_tile_size: Optional[int] = None,
                       derain_flip_ensemble: Optional[bool] = None) -> Config:
    """Derive a mode's config from any clean detection or segmentation config.

    Args:
        clean: the config as its model is tested on clean images.
        mode: one of :data:`MODES`.
        rain_seed: seed of the ``AddRain`` inserted after image loading.
        rainy_dir: instead of synthetic rain, read the test images from this
            folder (same file names).
        derainer: the derainer's config (``derained`` mode).
        derainer_checkpoint: its weights (``derained`` mode).
        derain_tile_size: derain in tiles of this side; None: whole images.
        derain_flip_ensemble: run the derainer's mirror ensemble (True) or
            one pass (False); None: the preprocessor's default (one
            pass).

    Returns:
        A new config; ``clean`` is not modified.

    Raises:
        ValueError: for an unknown mode, a test pipeline without an
            image-loading transform, a data preprocessor without a derain
            counterpart, or the derained mode without ``derainer``.
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    cfg = copy.deepcopy(clean)
    task = detect_task(cfg)
    if mode != 'clean':
        dataset = eval_dataset_cfg(cfg)
        if rainy_dir:
            dataset.setdefault('data_prefix', ConfigDict())[task.image_prefix] = \
                osp.abspath(rainy_dir)
        else:
            dataset.pipeline = add_rain(dataset.pipeline, seed=rain_seed)
    if mode == 'derained':
        if derainer is None:
            raise ValueError('the derained mode needs the derainer\'s config')
        preprocessor = cfg.model.get('data_preprocessor') or dict(type=task.plain_preprocessor)
        flip = {} if derain_flip_ensemble is None else dict(
            derain_flip_ensemble=derain_flip_ensemble)
        cfg.model.data_preprocessor = add_derain_stage(
            preprocessor, derainer=derainer, derainer_checkpoint=derainer_checkpoint,
            derain_tile_size=derain_tile_size, **flip)
    return cfg


def mode_config(config: str, mode: str, rain_seed: int = 0, rainy_dir: Optional[str] = None,
                derainer: Optional[Dict[str, Any]] = None,
                derainer_checkpoint: Optional[str] = None,
                derain_tile_size: Optional[int] = None,
                derain_flip_ensemble: Optional[bool] = None,
                cfg_options: Optional[Dict[str, Any]] = None) -> Config:
    """The config that tests ``config``'s model in ``mode``.

    With synthetic rain (no ``rainy_dir``) and a chain config file for the
    mode (:func:`chain_config_file`), that file, with ``rain_seed`` as the
    seed of its test-time ``AddRain`` and, for the derained mode, the given
    derainer settings (those not None) replacing its own. Otherwise
    :func:`derive_mode_config` of ``config``.

    Args:
        config: a detection or segmentation config (file or ``pkg::path``).
        mode: one of :data:`MODES`.
        rain_seed, rainy_dir, derainer, derainer_checkpoint,
            derain_tile_size, derain_flip_ensemble: as for
            :func:`derive_mode_config`.
        cfg_options: ``key=value`` overrides merged into the config read
            (``--cfg-options``).

    Returns:
        The mode's config.
    """
    chain = None if rainy_dir else chain_config_file(config, mode)
    cfg = Config.fromfile(chain or config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if chain is None:
        return derive_mode_config(cfg, mode, rain_seed, rainy_dir, derainer,
                                  derainer_checkpoint, derain_tile_size,
                                  derain_flip_ensemble)
    for transform in eval_dataset_cfg(cfg).pipeline:
        if type_name(transform) == 'AddRain':
            transform['seed'] = rain_seed
    if mode == 'derained':
        given = dict(derainer=derainer, derainer_checkpoint=derainer_checkpoint,
                     derain_tile_size=derain_tile_size,
                     derain_flip_ensemble=derain_flip_ensemble)
        cfg.model.data_preprocessor = add_derain_stage(
            cfg.model.data_preprocessor, **{k: v for k, v in given.items() if v is not None})
    return cfg


def rain_free_test_set(cfg: Config) -> Tuple[Any, Any, str]:
    """The test set of a rainy-mode config with its pipeline cut right
    before its ``AddRain``, that ``AddRain`` built, and the folder the image
    paths are relative to.

    Each item of the dataset is the loaded clean image (``results['img']``,
    BGR uint8, with its metadata such as ``img_path`` and, for a
    segmentation set, ``seg_map_path``); calling the transform on a copy
    draws the rain the rainy mode tests on.

    Args:
        cfg: a rainy (or derained) mode config, e.g. from
            :func:`mode_config` with ``mode='rainy'``.

    Raises:
        ValueError: the test pipeline has no ``AddRain``.
    """
    task = detect_task(cfg)
    scope = next(name for name, known in TASKS.items() if known is task)
    init_default_scope(scope)
    registry = importlib.import_module(f'{scope}.registry')
    dataset_cfg = eval_dataset_cfg(cfg)
    steps = [type_name(step) for step in dataset_cfg.pipeline]
    if 'AddRain' not in steps:
        raise ValueError(f'{cfg.filename}: the rainy mode\'s test pipeline has no AddRain: '
                         f'{steps}')
    rain_at = steps.index('AddRain')
    loaded = registry.DATASETS.build(dict(dataset_cfg, pipeline=dataset_cfg.pipeline[:rain_at]))
    add_rain = registry.TRANSFORMS.build(dataset_cfg.pipeline[rain_at])
    return loaded, add_rain, loaded.data_prefix[task.image_prefix]
