"""MSGN: the multi-scale gated feed-forward network."""
import torch
import torch.nn.functional as F
from torch import nn


class MultiScaleGatedFFN(nn.Module):
    """Feed-forward network gated across two receptive fields.

    ``conv1x1(C -> 2h)`` splits into two halves; ``GELU(dw3x3(h1)) *
    dw5x5(h2)``; ``conv1x1(h -> C)``, with ``h = int(C * expansion)``.

    Shapes:
        input ``B x C x H x W``, output the same.
    """

    def __init__(self, channels: int, expansion: float = 2.66, bias: bool = False) -> None:
        super().__init__()
        hidden = int(channels * expansion)
        self.project_in = nn.Conv2d(channels, hidden * 2, kernel_size=1, bias=bias)
        self.dwconv3 = nn.Conv2d(hidden, hidden, kernel_size=3, padding=1, groups=hidden, bias=bias)
        self.dwconv5 = nn.Conv2d(hidden, hidden, kernel_size=5, padding=2, groups=hidden, bias=bias)
        self.project_out = nn.Conv2d(hidden, channels, kernel_size=1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h1, h2 = self.project_in(x).chunk(2, dim=1)
        return self.project_out(F.gelu(self.dwconv3(h1)) * self.dwconv5(h2))
