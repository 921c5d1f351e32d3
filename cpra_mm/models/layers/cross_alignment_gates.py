"""AAFM stage 1: spatial and channel cross-gating of the two branches."""
import torch
import torch.nn.functional as F
from torch import nn

from .norm_factory import build_gate_norm
from .pointwise_conv import pointwise_conv


class SpatialGate(nn.Module):
    """Per-pixel gate logits from a feature map.

    ``conv1x1(C -> C/8) -> norm -> GELU -> conv1x1(-> 1)``; input
    ``B x C x H x W``, output ``B x 1 x H x W`` logits (before sigmoid).
    """

    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        hidden = max(1, channels // 8)
        self.reduce = nn.Conv2d(channels, hidden, kernel_size=1)
        self.norm = build_gate_norm(norm, hidden)
        self.expand = nn.Conv2d(hidden, 1, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return pointwise_conv(F.gelu(self.norm(pointwise_conv(x, self.reduce))), self.expand)


class ChannelGate(nn.Module):
    """Per-channel gate logits from the global average of a feature map.

    ``GAP -> conv1x1(C -> C/4) -> norm -> GELU -> conv1x1(-> C)``; input
    ``B x C x H x W``, output ``B x C x 1 x 1`` logits (before sigmoid).
    """

    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        hidden = max(1, channels // 4)
        self.reduce = nn.Conv2d(channels, hidden, kernel_size=1)
        self.norm = build_gate_norm(norm, hidden)
        self.expand = nn.Conv2d(hidden, channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.expand(F.gelu(self.norm(self.reduce(F.adaptive_avg_pool2d(x, 1)))))


class CrossAlignmentGates(nn.Module):
    """Align the attention branch and the convolution branch by gating each
    with a map computed from the other, then fuse them.

    The spatial map of the convolution (SPR) branch gates the attention (SPC)
    branch pixel by pixel; the channel map of the attention branch gates the
    convolution branch channel by channel; the two are concatenated
    (attention first) and projected by a 1x1 convolution. The gates are
    applied inside that projection (one scales its output per pixel, the
    other its weight per image) rather than in passes of their own.

    Args:
        channels: channels of each branch (C/2 of the block).
        out_channels: channels after fusion (C).
        norm: normalisation inside the gates, see :func:`build_gate_norm`.
        bias: bias of the fusion projection.

    Shapes:
        ``attention, convolution``: ``B x channels x H x W`` each; output
        ``B x out_channels x H x W``.
    """

    def __init__(self, channels: int, out_channels: int, norm: str = 'batch',
                 bias: bool = False) -> None:
        super().__init__()
        self.channel_gate = ChannelGate(channels, norm)
        self.spatial_gate = SpatialGate(channels, norm)
        self.project_out = nn.Conv2d(channels * 2, out_channels, kernel_size=1, bias=bias)

    def forward(self, attention: torch.Tensor, convolution: torch.Tensor) -> torch.Tensor:
        b, c, h, w = attention.shape
        spatial = torch.sigmoid(self.spatial_gate(convolution)).reshape(b, h * w, 1)
        channel = torch.sigmoid(self.channel_gate(attention)).view(b, 1, c)
        # W [a * s ; v * g] computed as s * (W_a a) + (W_v diag(g)) v: the
        # per-pixel gate scales the product, the per-channel gate the weight.
        weight = self.project_out.weight.flatten(1)
        attention_part = F.linear(attention.permute(0, 2, 3, 1), weight[:, :c])
        convolution_weight = (weight[:, c:].unsqueeze(0) * channel).transpose(1, 2)
        out = torch.bmm(convolution.permute(0, 2, 3, 1).reshape(b, h * w, c), convolution_weight)
        out.addcmul_(attention_part.reshape(b, h * w, -1), spatial)
        if self.project_out.bias is not None:
            out.add_(self.project_out.bias)
        return out.view(b, h, w, -1).permute(0, 3, 1, 2)
