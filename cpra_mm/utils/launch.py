"""Command-line set-up shared by ``tools/train.py`` and ``tools/test.py``:
the Runner options every entry point takes, the config they produce, and
CPU-only distributed runs.

Example::

    parser = argparse.ArgumentParser(description='Train a cpra_mm model.')
    parser.add_argument('config', help='training config file')
    add_runner_arguments(parser, cfg_options_example='train_cfg.max_iters=1000')
    args = parse_runner_args(parser)
    cfg = runner_config(args)
    prepare_cpu_distributed(cfg)
    Runner.from_cfg(cfg).train()
"""
import argparse
import atexit
import gc
import os
import os.path as osp

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dist import is_distributed

LAUNCHERS = ('none', 'pytorch', 'slurm')
WORK_DIRS = 'work_dirs'
"""Parent of the default work dir, ``work_dirs/<config name>``."""


def add_runner_arguments(parser: argparse.ArgumentParser, cfg_options_example: str) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher`` and
    ``--local-rank`` to ``parser`` (which already has the positional
    ``config``).

    Args:
        parser: the tool's parser.
        cfg_options_example: ``key=value`` pairs shown in ``--cfg-options``'
            help, e.g. ``'model.test_cfg.quantize=False'``.
    """
    parser.add_argument('--work-dir', help='folder for logs, checkpoints and other outputs '
                        '(default: the config\'s work_dir, else '
                        f'{WORK_DIRS}/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help=f'override config entries, key=value pairs, e.g. {cfg_options_example}')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0,
                        help='set by torch.distributed.launch')


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line and set ``LOCAL_RANK`` from ``--local-rank``
    when the environment (``torchrun``) has not."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def runner_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the options of
    :func:`add_runner_arguments`: the launcher, ``--cfg-options`` and the
    work dir (``--work-dir``, else the config's, else
    ``work_dirs/<config name>``)."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join(WORK_DIRS, osp.splitext(osp.basename(args.config))[0])
    return cfg


def prepare_cpu_distributed(cfg: Config) -> None:
    """Make a ``--launcher pytorch`` run work without CUDA.

    MMEngine's PyTorch launcher calls ``torch.cuda.set_device`` and wraps the
    model with ``device_ids=[LOCAL_RANK]``, both of which fail on a CPU. Here
    the process group is opened with the gloo backend before the Runner is
    built (the Runner then skips its own initialisation), and DDP gets
    ``device_ids=None``. A group opened here is destroyed at exit by
    :func:`destroy_process_group_at_exit`. Does nothing for other launchers
    or with CUDA.
    """
    if cfg.launcher != 'pytorch' or torch.cuda.is_available():
        return
    cfg.setdefault('env_cfg', ConfigDict()).setdefault(
        'dist_cfg', ConfigDict())['backend'] = 'gloo'
    if not is_distributed():
        torch.distributed.init_process_group(backend='gloo')
        atexit.register(destroy_process_group_at_exit)
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def destroy_process_group_at_exit() -> None:
    """Destroy the default process group while the interpreter is still
    whole: registered with :mod:`atexit` by :func:`prepare_cpu_distributed`.

    Gloo runs each collective on a worker thread, which drops its reference
    to the finished work (and so to the work's tensors) only after the
    calling thread has moved on. When the last reference to a tensor that
    Python created goes there, the worker takes the GIL to free the Python
    object; if the interpreter is finalizing by then, CPython ends the thread
    inside a ``noexcept`` destructor and the process aborts with "terminate
    called without an active exception" (SIGABRT). A group that is never
    destroyed keeps its workers running through finalization, so a run that
    ends right after a collective (a rank that finishes validation before
    the others) could abort at exit.

    Destroying the group joins its worker threads, after they have freed
    every work, but only once nothing else holds the group: the finished
    Runner's DDP wrapper does, and the Runner sits in reference cycles
    (Runner and its loops), so garbage is collected first. Does nothing when
    no group is open (``destroy_process_group()`` already called).
    """
    if not torch.distributed.is_initialized():
        return
    gc.collect()
    torch.distributed.destroy_process_group()
