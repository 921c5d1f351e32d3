"""Test (evaluate) a cpra_mm model with MMEngine's Runner.

Examples:
    python tools/test.py configs/cpraformer/cpraformer_paper_rain13k.py \
        work_dirs/cpraformer_paper_rain13k/best.pth --out results.json
    bash tools/dist_test.sh CONFIG CHECKPOINT 8    # 8 processes via torchrun
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import os
import os.path as osp
from typing import Optional

import mmengine
import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dist import is_distributed
from mmengine.hooks import Hook
from mmengine.runner import Runner


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a cpra_mm model.')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file (path or URL)')
    parser.add_argument('--out', help='write the metrics to this file '
                        '(.json, .yaml or .pkl)')
    parser.add_argument('--work-dir', help='folder for logs and outputs '
                        '(default: the config\'s work_dir, else '
                        'work_dirs/<config name>)')
    parser.add_argument('--amp', action='store_true',
                        help='run the test loop under autocast')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, key=value pairs, e.g. '
        'model.test_cfg.quantize=False')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                        default='none', help='job launcher')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0,
                        help='set by torch.distributed.launch')
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def prepare_cpu_distributed(cfg: Config) -> None:
    """Make a ``--launcher pytorch`` run work without CUDA: open the process
    group with gloo before the Runner does (its launcher calls
    ``torch.cuda.set_device``), and give DDP ``device_ids=None``."""
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


class DumpMetricsHook(Hook):
    """Write the test metrics to a file once the test epoch ends."""

    def __init__(self, out_file: str) -> None:
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if metrics is not None and runner.rank == 0:
            mmengine.dump(metrics, self.out_file)


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

    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.amp:
        cfg.test_cfg.fp16 = True

    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    if args.out:
        runner.register_hook(DumpMetricsHook(args.out), 'LOWEST')
    runner.test()


if __name__ == '__main__':
    main()
