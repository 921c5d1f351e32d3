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

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from cpra_mm.utils.launch import (add_runner_arguments, parse_runner_args,
                                  prepare_cpu_distributed, runner_config)

AUTO_RESUME = 'auto'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a cpra_mm model.')
    parser.add_argument('config', help='training config file')
    parser.add_argument(
        '--resume', nargs='?', const=AUTO_RESUME, default=None,
        metavar='auto|PATH',
        help='resume training: without a value (or "auto") from the latest '
        'checkpoint in the work dir, else from the checkpoint at PATH')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (AmpOptimWrapper)')
    add_runner_arguments(
        parser, cfg_options_example='train_cfg.max_iters=1000 train_dataloader.batch_size=4')
    return parse_runner_args(parser)


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


def main() -> None:
    args = parse_args()
    cfg = runner_config(args)

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
