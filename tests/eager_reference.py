"""Deterministic random-weight CPRAformers and inputs, shared by the test of
eager outputs against the outputs recorded before the speed work
(``tests/data/eager_reference_outputs.pt``).

The recording was made once, from the code before the faster eager path,
with ``python tests/eager_reference.py``; the file must not be regenerated
from the current code, or the test compares the code with itself."""
from pathlib import Path
from typing import Dict, Tuple

import torch

from cpra_mm.models import CPRAformer

RECORDING = Path(__file__).parent / 'data' / 'eager_reference_outputs.pt'
CASES = [(preset, layout) for preset in ('tiny', 'small', 'paper') for layout in ('reference', 'corrected')]


def random_weight_model(preset: str, layout: str, seed: int = 0) -> CPRAformer:
    """CPRAformer (output not clamped) with every parameter and BatchNorm
    statistic perturbed, so no part is at its (often identity) initial
    value; outputs stay of order 1."""
    torch.manual_seed(seed)
    model = CPRAformer(preset, layout=layout, clamp_output=False)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.02 * torch.randn(parameter.shape, generator=generator))
        for name, buffer in model.named_buffers():
            if name.endswith('running_mean'):
                buffer.copy_(0.1 * torch.randn(buffer.shape, generator=generator))
            elif name.endswith('running_var'):
                buffer.copy_(0.5 + torch.rand(buffer.shape, generator=generator))
    return model


def reference_input(seed: int = 0) -> torch.Tensor:
    """``2 x 3 x 44 x 52`` in [0, 1]: sizes not multiples of 8 (padding)."""
    return torch.rand(2, 3, 44, 52, generator=torch.Generator().manual_seed(seed + 2))


def outputs() -> Dict[Tuple[str, str, str], torch.Tensor]:
    """Eval and train-mode outputs (unclamped) of every case."""
    result = {}
    image = reference_input()
    for preset, layout in CASES:
        model = random_weight_model(preset, layout)
        with torch.no_grad():
            result[(preset, layout, 'eval')] = model.eval()(image)
            result[(preset, layout, 'train')] = model.train()(image)
    return result


if __name__ == '__main__':
    RECORDING.parent.mkdir(exist_ok=True)
    torch.save({'|'.join(key): value for key, value in outputs().items()}, RECORDING)
    print(f'wrote {RECORDING}')
