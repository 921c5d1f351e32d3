"""Resolution changes between U-Net levels."""
import torch
from torch import nn


class Downsample(nn.Module):
    """Halve the resolution and double the channels: ``conv3x3(C -> C/2)``
    then pixel-unshuffle by 2. ``B x C x H x W`` -> ``B x 2C x H/2 x W/2``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels // 2, kernel_size=3, padding=1, bias=False)
        self.shuffle = nn.PixelUnshuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.conv(x))


class Upsample(nn.Module):
    """Double the resolution and halve the channels: ``conv3x3(C -> 2C)``
    then pixel-shuffle by 2. ``B x C x H x W`` -> ``B x C/2 x 2H x 2W``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels * 2, kernel_size=3, padding=1, bias=False)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.conv(x))
