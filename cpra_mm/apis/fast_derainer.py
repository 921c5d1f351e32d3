"""``FastDerainer``: a deraining network that runs in an opt-in fast mode
(``torch.compile``, bf16 / fp16 autocast); what :func:`init_derainer` returns
when one is asked for."""
import torch
from torch import nn

from cpra_mm.utils.fast_forward import FastForward


class FastDerainer(nn.Module):
    """Run ``network`` under autocast and / or ``torch.compile``
    (:class:`~cpra_mm.utils.fast_forward.FastForward`, with its logged
    fall-backs to fp32 and to eager execution).

    The parameters stay float32 (the network is the submodule ``network``;
    state dict keys ``network.*``). Outputs are float32; for CPRAformer in
    eval mode they are clamped to [0, 1]. Tolerances against fp32, for the
    built-in model on photographs derained whole or in tiles of at most
    512 (measured in ``docs/fast_inference.md``): compile max abs <= 1e-5;
    bf16 max abs <= 0.05 (PSNR to the fp32 output >= 50 dB); fp16 max abs
    <= 0.05 (>= 49 dB; <= 1e-3 at 256 x 256, but 0.10 at 1024 x 1024).

    Args:
        network: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same.
        precision: ``'fp32'``, ``'bf16'`` or ``'fp16'``.
        compile: compile ``network`` with ``torch.compile`` on the first call.

    Shapes:
        input ``B x 3 x H x W`` float in [0, 1]; output the same shape,
        float32.

    Raises:
        ValueError: an unknown ``precision``.
    """

    def __init__(self, network: nn.Module, precision: str = 'fp32', compile: bool = False) -> None:
        super().__init__()
        self.network = network
        self.fast_forward = FastForward(network, precision=precision, compile=compile)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fast_forward(images)

    def extra_repr(self) -> str:
        return f'precision={self.fast_forward.precision!r}, compile={self.fast_forward.compile}'
