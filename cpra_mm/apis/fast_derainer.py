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
    eval mode they are clamped to [0, 1]. Differences to fp32 measured for
    the built-in and the ``fast`` models on a photograph at 256 to 1024
    pixels (``docs/fast_inference.md``): bf16 max abs <= 0.06 (PSNR to the
    fp32 output >= 44 dB); fp16 max abs <= 0.022 (>= 55 dB).

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
