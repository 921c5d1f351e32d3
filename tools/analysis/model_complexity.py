"""Parameters and multiply-accumulates of each CPRAformer preset and layout.

MACs are counted with torch's own ``FlopCounterMode`` (convolutions and
matrix products; one MAC = two FLOPs) on one ``3 x H x W`` image, with
gradients recorded: the network then runs the plain ATen operations, which
the counter sees, and not the fused oneDNN CPU kernels of its gradient-free
path (cpra_mm/models/layers/onednn_fusion.py), which it does not.

Example::

    python tools/analysis/model_complexity.py --shape 256 256
"""
import argparse
import sys
from typing import Dict, List, Optional

import torch
from torch.utils.flop_counter import FlopCounterMode

from cpra_mm.models import LAYOUTS, PRESETS, CPRAformer


def complexity(preset: str, layout: str, height: int, width: int) -> Dict[str, float]:
    """``{'params': int, 'gmacs': float, 'conv_gmacs': float, 'matmul_gmacs': float}``."""
    model = CPRAformer(preset, layout=layout).eval()
    counter = FlopCounterMode(display=False)
    with torch.enable_grad(), counter:
        model(torch.rand(1, 3, height, width))
    by_op = counter.get_flop_counts()['Global']
    conv = sum(v for k, v in by_op.items() if 'convolution' in str(k))
    total = counter.get_total_flops()
    return dict(params=sum(p.numel() for p in model.parameters()), gmacs=total / 2e9,
                conv_gmacs=conv / 2e9, matmul_gmacs=(total - conv) / 2e9)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--shape', type=int, nargs=2, default=[256, 256], metavar=('H', 'W'))
    parser.add_argument('--presets', nargs='+', default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument('--layouts', nargs='+', default=list(LAYOUTS), choices=list(LAYOUTS))
    args = parser.parse_args(argv)
    h, w = args.shape
    print(f'| preset | layout | params | GMACs @{h}x{w} | conv | matmul |')
    print('|---|---|---:|---:|---:|---:|')
    for preset in args.presets:
        for layout in args.layouts:
            c = complexity(preset, layout, h, w)
            print(f"| {preset} | {layout} | {c['params']:,} | {c['gmacs']:.2f} | "
                  f"{c['conv_gmacs']:.2f} | {c['matmul_gmacs']:.2f} |")
    return 0


if __name__ == '__main__':
    sys.exit(main())
