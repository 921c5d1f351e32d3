"""SPR-SA: spatial pixel refinement attention."""
import torch
import torch.nn.functional as F
from torch import nn


class SpatialPixelRefinement(nn.Module):
    """Convolutional branch of CPIA-SA that refines pixels locally.

    A depthwise 3x3 convolution doubles the channels (each input channel
    feeds two outputs), a 1x1 convolution mixes them, each channel is weighted
    by the softmax over channels of its global average, then GELU and a 1x1
    projection back.

    Args:
        channels: input and output channels (C/2 of the block).
        expansion: hidden channels per input channel (2 in the paper).

    Shapes:
        input ``B x channels x H x W``, output the same.
    """

    def __init__(self, channels: int, expansion: int = 2) -> None:
        super().__init__()
        hidden = channels * expansion
        self.expand_dw = nn.Conv2d(channels, hidden, kernel_size=3, padding=1, groups=channels)
        self.expand_pw = nn.Conv2d(hidden, hidden, kernel_size=1)
        self.act = nn.GELU()
        self.out_proj = nn.Conv2d(hidden, channels, kernel_size=1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        y = self.expand_pw(self.expand_dw(y))
        channel_weights = F.adaptive_avg_pool2d(y, 1).softmax(dim=1)
        return self.out_proj(self.act(y * channel_weights))
