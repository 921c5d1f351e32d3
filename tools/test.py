"""Test (evaluate) a cpra_mm model with MMEngine's Runner.

Examples:
    python tools/test.py configs/cpraformer/cpraformer_paper_rain13k.py \
        work_dirs/cpraformer_paper_rain13k/best.pth --out results.json
    bash tools/dist_test.sh CONFIG CHECKPOINT 8    # 8 processes via torchrun
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
from typing import Optional

import mmengine
from mmengine.hooks import Hook
from mmengine.runner import Runner

from cpra_mm.utils.launch import (add_runner_arguments, parse_runner_args,
                                  prepare_cpu_distributed, runner_config)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a cpra_mm model.')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file (path or URL)')
    parser.add_argument('--out', help='write the metrics to this file '
                        '(.json, .yaml or .pkl)')
    parser.add_argument('--amp', action='store_true',
                        help='run the test loop under autocast')
    add_runner_arguments(parser, cfg_options_example='model.test_cfg.quantize=False')
    return parse_runner_args(parser)


class DumpMetricsHook(Hook):
    """Write the test metrics to a file once the test epoch ends."""

    def __init__(self, out_file: str) -> None:
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if metrics is not None and runner.rank == 0:
            mmengine.dump(metrics, self.out_file)


def main() -> None:
    args = parse_args()
    cfg = runner_config(args)

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
