"""How far each fast inference mode's output strays from eager fp32.

For every checkpoint, size S and mode (``--modes``, from
:data:`cpra_mm.deployment.inference_modes.INFERENCE_MODES`), scikit-image's
``astronaut()`` photograph (shipped with the package) is resized to S x S
(``cv2.INTER_AREA``), given rain by the default ``RainStreakRenderer``
(seed ``--seed``) and derained whole, batch 1, in that mode and in eager
fp32; the table compares the two outputs: max and mean abs difference,
PSNR of the mode's output to the fp32 one (peak 1) and the share of values
whose 8-bit rounding differs. Run with ``OMP_NUM_THREADS=1`` for the
numbers of ``docs/fast_inference.md``.

Example::

    python tools/analysis/fast_mode_fidelity.py                       # built-in and fast models
    python tools/analysis/fast_mode_fidelity.py --sizes 256 --modes bf16 compile \\
        --checkpoints cpra_mm/weights/MODEL.pth
"""
import argparse
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

from cpra_mm.apis import init_derainer
from cpra_mm.deployment.inference_modes import INFERENCE_MODES, network_in_mode
from cpra_mm.rain import RainStreakRenderer, generator_for
from cpra_mm.utils.shipped_weights import BUILTIN_DERAINER, WEIGHTS_DIR

DEFAULT_CHECKPOINTS = (
    WEIGHTS_DIR / BUILTIN_DERAINER,
    WEIGHTS_DIR / 'cpraformer_fast-corrected_1xb8-1500iter_photo-corpus-stage2.pth',
)
DEFAULT_MODES = ('bf16', 'fp16', 'onnxruntime')
"""Modes measured by default (the compile modes take minutes to compile
each size on a CPU; ask for them with ``--modes``)."""


def rainy_astronaut(size: int, seed: int) -> torch.Tensor:
    """``1 x 3 x size x size`` float RGB in [0, 1]: the rainy photograph."""
    from skimage import data

    image = cv2.resize(data.astronaut(), (size, size), interpolation=cv2.INTER_AREA)
    rainy = RainStreakRenderer()(image, generator_for(seed, f'astronaut_{size}'))
    return torch.from_numpy(np.ascontiguousarray(rainy)).permute(2, 0, 1)[None].float() / 255


def compare(restored: torch.Tensor, expected: torch.Tensor) -> Dict[str, float]:
    """Difference of two float images in [0, 1] (``expected``: fp32)."""
    difference = (restored - expected).abs()
    mse = float(difference.pow(2).mean())
    changed = (restored * 255).round() != (expected * 255).round()
    return dict(max_abs=float(difference.max()), mean_abs=float(difference.mean()),
                psnr=math.inf if mse == 0 else 10 * math.log10(1 / mse),
                changed=float(changed.float().mean()))


def measure(checkpoint: Path, sizes: Sequence[int], modes: Sequence[str],
            seed: int) -> List[Dict[str, object]]:
    """One row per size and mode for ``checkpoint``."""
    network = init_derainer(checkpoint=checkpoint)
    rows = []
    for size in sizes:
        image = rainy_astronaut(size, seed)
        with torch.no_grad():
            expected = network(image)
            for mode in modes:
                restored = network_in_mode(network, mode)(image)
                rows.append(dict(model=checkpoint.stem, size=size, mode=mode,
                                 **compare(restored, expected)))
                print(f'| {checkpoint.stem} | {size} | {mode} | {rows[-1]["max_abs"]:.2e} | '
                      f'{rows[-1]["mean_abs"]:.1e} | {rows[-1]["psnr"]:.1f} dB | '
                      f'{100 * rows[-1]["changed"]:.1f} % |', flush=True)
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--checkpoints', nargs='+', type=Path, default=list(DEFAULT_CHECKPOINTS))
    parser.add_argument('--sizes', nargs='+', type=int, default=[256, 512, 1024])
    parser.add_argument('--modes', nargs='+', default=list(DEFAULT_MODES),
                        choices=[mode for mode in INFERENCE_MODES if mode != 'eager'])
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    for checkpoint in args.checkpoints:
        if not checkpoint.is_file():
            parser.error(f'--checkpoints: {checkpoint} does not exist')
    print(f'# torch {torch.__version__}, {torch.get_num_threads()} threads')
    print('| model | S | mode | max abs | mean abs | PSNR to fp32 | 8-bit changed |')
    print('| :---- | --: | :--- | ------: | -------: | ---: | ------------: |')
    for checkpoint in args.checkpoints:
        measure(checkpoint, args.sizes, args.modes, args.seed)
    return 0


if __name__ == '__main__':
    sys.exit(main())
