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
    ``device_ids=None``. Does nothing for other launchers or with CUDA.
    """
    if cfg.launcher != 'pytorch' or torch.cuda.is_available():
        return
    cfg.setdefault('env_cfg', ConfigDict()).setdefault(
        'dist_cfg', ConfigDict())['backend'] = 'gloo'
    if not is_distributed():
        torch.distributed.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
