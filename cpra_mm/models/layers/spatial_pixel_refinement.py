"""SPR-SA: spatial pixel refinement attention."""
import torch
import torch.nn.functional as F
from torch import nn

from .pointwise_conv import pointwise_conv


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
        b, _, h, w = y.shape
        local = self.expand_dw(y)
        # The channel softmax weighs expand_pw's output; since that is linear,
        # its global average is expand_pw of local's average, and the weights
        # fold into expand_pw's matrix (one per image).
        weight = self.expand_pw.weight.flatten(1)
        mean = F.linear(local.mean(dim=(2, 3)), weight, self.expand_pw.bias)
        channel_weights = mean.softmax(dim=1).unsqueeze(-1)
        weighted = (weight.unsqueeze(0) * channel_weights).transpose(1, 2)
        pixels = local.permute(0, 2, 3, 1).reshape(b, h * w, -1)
        if self.expand_pw.bias is None:
            hidden = torch.bmm(pixels, weighted)
        else:
            shift = (self.expand_pw.bias * channel_weights.squeeze(-1)).unsqueeze(1)
            hidden = torch.baddbmm(shift, pixels, weighted)
        hidden = hidden.view(b, h, w, -1).permute(0, 3, 1, 2)
        return pointwise_conv(self.act(hidden), self.out_proj)
