"""MSGN: the multi-scale gated feed-forward network."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .pointwise_conv import pointwise_conv


class MultiScaleGatedFFN(nn.Module):
    """Feed-forward network gated across two receptive fields.

    ``conv1x1(C -> 2h)`` splits into two halves; ``GELU(dw3x3(h1)) *
    dw5x5(h2)``; ``conv1x1(h -> C)``, with ``h = int(C * expansion)``.

    The two halves are projected separately (two contiguous maps instead of
    two strided slices of one), the gate is applied in place when no
    gradient is recorded, and a residual given to :meth:`forward` is added
    inside the output projection.

    Shapes:
        input ``B x C x H x W`` (and ``residual`` the same), output the same.
    """

    def __init__(self, channels: int, expansion: float = 2.66, bias: bool = False) -> None:
        super().__init__()
        hidden = int(channels * expansion)
        self.project_in = nn.Conv2d(channels, hidden * 2, kernel_size=1, bias=bias)
        self.dwconv3 = nn.Conv2d(hidden, hidden, kernel_size=3, padding=1, groups=hidden, bias=bias)
        self.dwconv5 = nn.Conv2d(hidden, hidden, kernel_size=5, padding=2, groups=hidden, bias=bias)
        self.project_out = nn.Conv2d(hidden, channels, kernel_size=1, bias=bias)

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        weight_3, weight_5 = self.project_in.weight.flatten(1).chunk(2)
        bias_3, bias_5 = (self.project_in.bias.chunk(2) if self.project_in.bias is not None
                          else (None, None))
        pixels = x.permute(0, 2, 3, 1)
        h1 = F.linear(pixels, weight_3, bias_3).permute(0, 3, 1, 2)
        h2 = F.linear(pixels, weight_5, bias_5).permute(0, 3, 1, 2)
        gated = F.gelu(self.dwconv3(h1))
        local = self.dwconv5(h2)
        gated = gated * local if torch.is_grad_enabled() else gated.mul_(local)
        return pointwise_conv(gated, self.project_out, residual)
