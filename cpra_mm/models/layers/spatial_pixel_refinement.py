"""SPR-SA: spatial pixel refinement attention."""
import torch
import torch.nn.functional as F
from torch import nn

from .onednn_fusion import linear_gelu, onednn_fusable
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
        self.out_proj = nn.Conv2d(hidden, channels, kernel_size=1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        b, _, h, w = y.shape
        local = self.expand_dw(y)
        # The channel softmax weighs expand_pw's output; since that is linear,
        # its global average is expand_pw of local's average, and the weights
        # fold into expand_pw's matrix and bias (one of each per image).
        weight, bias = self.expand_pw.weight.flatten(1), self.expand_pw.bias
        mean = F.linear(local.mean(dim=(2, 3)), weight, bias)
        channel_weights = mean.softmax(dim=1)
        weights = weight.unsqueeze(0) * channel_weights.unsqueeze(-1)
        biases = None if bias is None else bias * channel_weights
        pixels = local.permute(0, 2, 3, 1)
        if onednn_fusable(pixels):
            # One product per image with the GELU fused (:mod:`.onednn_fusion`).
            hidden = [linear_gelu(pixels[i], weights[i], None if biases is None else biases[i])
                      for i in range(b)]
            hidden = hidden[0].unsqueeze(0) if b == 1 else torch.stack(hidden)
        else:
            # One batched product (traceable with any batch size).
            flat, weights = pixels.reshape(b, h * w, -1), weights.transpose(1, 2)
            hidden = (torch.bmm(flat, weights) if biases is None
                      else torch.baddbmm(biases.unsqueeze(1), flat, weights))
            hidden = F.gelu(hidden).view(b, h, w, -1)
        return pointwise_conv(hidden.permute(0, 3, 1, 2), self.out_proj)
