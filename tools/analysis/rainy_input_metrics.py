"""Score the rainy inputs themselves: the "input" row of a deraining table.

Builds the config's Runner exactly as ``tools/test.py`` does, replaces the
generator by the identity, and runs the config's test loop and metrics, so
the numbers are directly comparable with those of a trained model (same
images, same synthetic rain, same Y-channel PSNR/SSIM).

Example::

    python tools/analysis/rainy_input_metrics.py \\
        configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import os.path as osp
import sys
import tempfile
from typing import List, Optional

from mmengine.config import Config, DictAction
from mmengine.runner import Runner
from torch import nn


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='MMagic deraining config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args(argv)
    if not osp.isfile(args.config):
        print(f'error: config {args.config} does not exist', file=sys.stderr)
        return 2
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = tempfile.mkdtemp(prefix='rainy_input_')
    cfg.load_from = None
    cfg.custom_hooks = []
    cfg.default_hooks.pop('visualization', None)
    runner = Runner.from_cfg(cfg)
    runner.model.generator = nn.Identity()
    runner.test()
    return 0


if __name__ == '__main__':
    sys.exit(main())
