"""Training a config in-process with MMEngine's Runner, as ``tools/train.py``
does, for tools that train several configs in one process (the downstream
study), with its schedule shortened on request."""
import copy
import os.path as osp
import time
from typing import Optional

from mmengine.config import Config
from mmengine.runner import Runner


def shorten_schedule(cfg: Config, max_iters: int) -> Config:
    """A copy of an iteration-based config that trains ``max_iters``
    iterations: the loop's ``max_iters`` and ``val_interval``, the checkpoint
    interval, and the ``end`` (and ``T_max``) of every learning-rate
    scheduler that ended with the old schedule, so the schedule keeps its
    shape, compressed.

    Args:
        cfg: a config with ``train_cfg.type='IterBasedTrainLoop'``; not
            modified.
        max_iters: iterations, >= 1.

    Raises:
        ValueError: for ``max_iters < 1`` or an epoch-based config (naming
            its file).
    """
    if max_iters < 1:
        raise ValueError(f'max_iters must be >= 1, got {max_iters}')
    if cfg.train_cfg.get('type') != 'IterBasedTrainLoop':
        raise ValueError(f'{cfg.filename}: only iteration-based training can be shortened, '
                         f'train_cfg.type is {cfg.train_cfg.get("type")!r}')
    cfg = copy.deepcopy(cfg)
    old = cfg.train_cfg.max_iters
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    for scheduler in cfg.get('param_scheduler') or []:
        if scheduler.get('end') == old:
            scheduler['end'] = max_iters
            if scheduler.get('T_max') == old:
                scheduler['T_max'] = max_iters
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint')
    if checkpoint is not None and checkpoint.get('interval') == old:
        checkpoint['interval'] = max_iters
    return cfg


def fresh_run_config(cfg: Config, work_dir: str, name: str) -> Config:
    """A copy of ``cfg`` for a Runner of its own in a process that builds
    several: its ``work_dir``, a time-stamped ``experiment_name`` (which
    also names the visualiser, whose instances are global by name), and no
    ``load_from`` or ``resume`` (the caller loads what it needs).

    Args:
        cfg: the config; not modified.
        work_dir: the Runner's work dir.
        name: experiment name (a time stamp is appended).
    """
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{name}_{time.strftime("%Y%m%d_%H%M%S")}'
    if isinstance(cfg.get('visualizer'), dict):
        cfg.visualizer.name = cfg.experiment_name
    cfg.load_from = None
    cfg.resume = False
    return cfg


def train_config(cfg: Config, work_dir: str, name: str, seed: Optional[int] = None,
                 validate: bool = True) -> str:
    """Train ``cfg`` with the Runner and return its last checkpoint.

    Args:
        cfg: the training config; not modified.
        work_dir: the Runner's work dir (logs, checkpoints).
        name: experiment name (a time stamp is appended); also names the
            visualiser, so several runners can live in one process.
        seed: ``randomness.seed`` (data order, training rain, random
            transforms); ``None`` keeps the config's.
        validate: run the config's validation; ``False`` trains without a
            validation loop (for callers that test the checkpoint apart).

    Returns:
        The path of the checkpoint the Runner saved last.

    Raises:
        FileNotFoundError: when the Runner saved no checkpoint (naming the
            work dir).
    """
    cfg = fresh_run_config(cfg, work_dir, name)
    if seed is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
    if not validate:
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    Runner.from_cfg(cfg).train()
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        raise FileNotFoundError(f'{cfg.filename}: training saved no checkpoint in {work_dir}')
    with open(pointer) as f:
        return f.read().strip()
