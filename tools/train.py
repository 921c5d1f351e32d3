"""Train a cpra_mm model with MMEngine's Runner.

Examples:
    python tools/train.py configs/cpraformer/cpraformer_small_cpu_photos.py
    python tools/train.py CONFIG --work-dir work_dirs/run1 --resume
    python tools/train.py CONFIG --resume work_dirs/run1/iter_5000.pth
    bash tools/dist_train.sh CONFIG 8          # 8 processes via torchrun
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import logging
import os
import os.path as osp

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dist import is_distributed
from mmengine.logging import print_log
from mmengine.runner import Runner

AUTO_RESUME = 'auto'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a cpra_mm model.')
    parser.add_argument('config', help='training config file')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints '
                        '(default: the config\'s work_dir, else '
                        'work_dirs/<config name>)')
    parser.add_argument(
        '--resume', nargs='?', const=AUTO_RESUME, default=None,
        metavar='auto|PATH',
        help='resume training: without a value (or "auto") from the latest '
        'checkpoint in the work dir, else from the checkpoint at PATH')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (AmpOptimWrapper)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, key=value pairs, e.g. '
        'train_cfg.max_iters=1000 train_dataloader.batch_size=4')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                        default='none', help='job launcher')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0,
                        help='set by torch.distributed.launch')
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_amp(cfg: Config) -> None:
    """Switch the config's OptimWrapper to MMEngine's AmpOptimWrapper."""
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
        print_log('AMP is already enabled in the config.', logger='current',
                  level=logging.WARNING)
        return
    if wrapper.get('type', 'OptimWrapper') != 'OptimWrapper':
        raise ValueError('--amp needs optim_wrapper.type OptimWrapper, got '
                         f'{wrapper.type}')
    wrapper.type = 'AmpOptimWrapper'
    wrapper.loss_scale = 'dynamic'


def prepare_cpu_distributed(cfg: Config) -> None:
    """Make a ``--launcher pytorch`` run work without CUDA.

    MMEngine's PyTorch launcher calls ``torch.cuda.set_device`` and wraps the
    model with ``device_ids=[LOCAL_RANK]``, both of which fail on a CPU. Here
    the process group is opened with the gloo backend before the Runner is
    built (the Runner then skips its own initialisation), and DDP gets
    ``device_ids=None``.
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


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        enable_amp(cfg)

    if args.resume == AUTO_RESUME:
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
