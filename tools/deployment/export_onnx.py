"""Export a trained CPRAformer to ONNX (dynamic batch, height and width) and
check the export with onnxruntime against PyTorch.

Run from the repository root, for example::

    python tools/deployment/export_onnx.py                   # the built-in model
    python tools/deployment/export_onnx.py --out work_dirs/onnx/paper.onnx \\
        --config configs/cpraformer/cpraformer_paper-reference_1xb12-342800iter_rain13k.py \\
        --checkpoint work_dirs/cpraformer_paper-reference_1xb12-342800iter_rain13k/iter_342800.pth

The model is loaded as ``tools/derain.py`` loads it (``--config`` /
``--checkpoint``, default the built-in derainer) and exported with
:func:`cpra_mm.deployment.onnx_export.export_onnx`: input ``image``,
``N x 3 x H x W`` float32 RGB in [0, 1] with ``H, W >= 8`` (any size, not
only multiples of 8: the padding to a multiple of 8 is part of the graph);
output ``derained``, the same shape in [0, 1]. Both layouts export; the
corrected layout's spectral filter runs as products with DFT matrices in
the graph.

Then a random ``--verify-shape`` input (seeded; by default 2 x 3 x 61 x 83,
another batch and size than the tracing sample) runs through onnxruntime
and PyTorch, and the max abs difference is printed.

Exit status: 0 when the difference is within ``--tolerance``, 1 when not,
2 on bad arguments or an unloadable model.
"""
import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

import torch

from cpra_mm.apis import BUILTIN_CHECKPOINT, init_derainer
from cpra_mm.deployment.onnx_export import MIN_SIDE, export_onnx
from cpra_mm.deployment.onnx_runtime import OnnxRuntimeDerainer

DEFAULT_OUT_DIR = Path('work_dirs/onnx')
PARITY_TOLERANCE = 1e-4
"""Max abs difference between onnxruntime and PyTorch outputs accepted."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=None,
                        help='MMagic config whose model.generator describes the network '
                        '(default: from the checkpoint\'s meta)')
    parser.add_argument('--checkpoint', default=None,
                        help=f'weights (default: the built-in model {BUILTIN_CHECKPOINT.name})')
    parser.add_argument('--out', type=Path, default=None,
                        help=f'the .onnx file (default: {DEFAULT_OUT_DIR}/CHECKPOINT_NAME.onnx)')
    parser.add_argument('--sample-size', type=int, nargs=2, default=[64, 64], metavar=('H', 'W'),
                        help='size the network is traced at (default 64 64)')
    parser.add_argument('--verify-shape', type=int, nargs=4, default=[2, 3, 61, 83],
                        metavar=('N', 'C', 'H', 'W'),
                        help='shape of the random check input (default 2 3 61 83)')
    parser.add_argument('--tolerance', type=float, default=PARITY_TOLERANCE,
                        help=f'max abs difference accepted (default {PARITY_TOLERANCE:g})')
    parser.add_argument('--threads', type=int, default=None,
                        help='onnxruntime intra-op threads (default: one per core)')
    return parser


def check_arguments(args: argparse.Namespace) -> Optional[str]:
    """The first bad argument, described; None when all are fine."""
    n, c, h, w = args.verify_shape
    if min(args.sample_size) < MIN_SIDE:
        return f'--sample-size sides must be >= {MIN_SIDE}, got {args.sample_size}'
    if n < 1 or c != 3 or min(h, w) < MIN_SIDE:
        return (f'--verify-shape must be N 3 H W with N >= 1 and H, W >= {MIN_SIDE}, got '
                f'{args.verify_shape}')
    if args.out is not None and args.out.suffix != '.onnx':
        return f'--out must end in .onnx, got {args.out}'
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), export, verify; return
    the exit code."""
    args = build_parser().parse_args(argv)
    problem = check_arguments(args)
    if problem is not None:
        print(f'error: {problem}', file=sys.stderr)
        return 2
    try:
        network = init_derainer(args.config, args.checkpoint, device='cpu')
    except (OSError, ValueError, RuntimeError) as error:
        print(f'error: cannot load the model: {error}', file=sys.stderr)
        return 2
    checkpoint = Path(args.checkpoint) if args.checkpoint else BUILTIN_CHECKPOINT
    out = args.out or DEFAULT_OUT_DIR / f'{checkpoint.stem}.onnx'
    export_onnx(network, out, sample_size=tuple(args.sample_size))
    print(f'wrote {out} ({out.stat().st_size / 2**20:.1f} MiB; input N x 3 x H x W, '
          f'H, W >= {MIN_SIDE})')

    torch.manual_seed(0)
    images = torch.rand(*args.verify_shape)
    with torch.no_grad():
        expected = network(images)
    restored = OnnxRuntimeDerainer(out, threads=args.threads)(images)
    difference = (restored - expected).abs().max().item()
    within = difference <= args.tolerance
    print(f'onnxruntime vs PyTorch on a random {" x ".join(map(str, args.verify_shape))} input: '
          f'max abs difference {difference:.2e} ({"within" if within else "OVER"} the '
          f'tolerance {args.tolerance:g})')
    return 0 if within else 1


if __name__ == '__main__':
    sys.exit(main())
