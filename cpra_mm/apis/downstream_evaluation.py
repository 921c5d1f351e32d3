"""Testing a detector or segmenter in one mode (clean, rainy or derained)
with MMEngine's Runner and the config's own evaluator."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List

import numpy as np
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from cpra_mm.utils.derainer_checkpoint import load_task_weights
from cpra_mm.utils.launch import prepare_cpu_distributed

from .config_training import fresh_run_config
from .downstream_per_image import Errors, PerImageErrorHook
from .downstream_samples import draw_samples
from .downstream_task import detect_task

DERAINER_KEY_PREFIX = 'data_preprocessor.derain_stage.'
"""State-dict prefix of the derainer inside a derain data preprocessor."""


@dataclass
class ModeEvaluation:
    """What testing one mode gave.

    Attributes:
        metrics: every metric the evaluator reported (e.g.
            ``coco/bbox_mAP``, ``mIoU``).
        samples: the first test images with the predictions drawn
            (:func:`~cpra_mm.apis.downstream_samples.draw_samples`); empty
            unless asked for, and on processes other than the main one.
        per_image: each test image's error count
            (:class:`~cpra_mm.apis.downstream_per_image.PerImageErrorHook`);
            empty unless asked for.
    """
    metrics: Dict[str, float]
    samples: List[np.ndarray] = field(default_factory=list)
    per_image: Errors = field(default_factory=dict)


def evaluate_mode(cfg: Config, checkpoint: str, work_dir: str, name: str,
                  launcher: str = 'none', num_samples: int = 0,
                  score_thr: float = 0.3, per_image: bool = False,
                  per_image_score_thr: float = 0.3) -> ModeEvaluation:
    """Test ``checkpoint`` with ``cfg`` (a mode's config,
    :func:`~cpra_mm.apis.downstream_modes.mode_config`).

    The checkpoint is loaded strictly, except for the derainer inside a
    derain data preprocessor: its weights come from the preprocessor's
    ``derainer_checkpoint``, loaded when the model is built, and derainer
    weights in ``checkpoint`` are ignored. So a checkpoint that does not
    fit fails instead of testing a half-initialised model.

    Args:
        cfg: the config; not modified.
        checkpoint: the detector's or segmenter's weights.
        work_dir: the Runner's work dir (logs).
        name: experiment name (a time stamp is appended); also names the
            visualiser, so several runners can live in one process.
        launcher: ``'none'`` or ``'pytorch'`` (under ``torchrun``; CPU runs
            are prepared with :func:`cpra_mm.utils.launch.prepare_cpu_distributed`).
        num_samples: draw the predictions on this many test images into
            ``<work_dir>/samples/``.
        score_thr: the lowest score of a drawn detection.
        per_image: count each test image's errors as it is tested.
        per_image_score_thr: the lowest score of a detection counted there.

    Returns:
        The metrics, the drawn samples on the main process, and the per-image
        error counts when asked for.

    Raises:
        CheckpointMismatchError: ``checkpoint`` does not fit the model.
    """
    cfg = fresh_run_config(cfg, work_dir, name)
    cfg.launcher = launcher
    task = detect_task(cfg)
    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    load_task_weights(getattr(runner.model, 'module', runner.model), checkpoint,
                      DERAINER_KEY_PREFIX)
    counter = PerImageErrorHook(task, per_image_score_thr) if per_image else None
    if counter is not None:
        runner.register_hook(counter)
    result = ModeEvaluation({key: float(value) for key, value in runner.test().items()})
    if counter is not None:
        result.per_image = counter.errors
    if num_samples and is_main_process():
        options = {task.score_threshold_option: score_thr} if task.score_threshold_option else {}
        result.samples = draw_samples(runner, num_samples, osp.join(work_dir, 'samples'),
                                      **options)
    return result
