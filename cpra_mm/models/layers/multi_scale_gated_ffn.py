"""MSGN: the multi-scale gated feed-forward network."""
from typing import Optional

import torch
from torch import nn

from .onednn_fusion import conv_gelu, linear
from .pointwise_conv import pointwise_conv
from .row_bands import band_height, row_bands


class MultiScaleGatedFFN(nn.Module):
    """Feed-forward network gated across two receptive fields.

    ``conv1x1(C -> 2h)`` splits into two halves; ``GELU(dw3x3(h1)) *
    dw5x5(h2)``; ``conv1x1(h -> C)``, with ``h = int(C * expansion)``.

    The two halves are projected separately (two contiguous maps instead of
    two strided slices of one); in CPU inference the GELU is applied inside
    the depthwise convolution (:mod:`.onednn_fusion`); the gate is applied
    in place when no gradient is recorded; a residual given to
    :meth:`forward` is added inside the output projection. In CPU inference
    on large maps the network (and a per-pixel ``pre_norm`` given to
    :meth:`forward`) runs in bands of rows (:mod:`.row_bands`, halo 2
    rows), which keeps its hidden maps in cache.

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

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None,
                pre_norm: Optional[nn.Module] = None) -> torch.Tensor:
        """``FFN(pre_norm(x)) + residual`` (each part only if given);
        ``pre_norm`` must act on each pixel alone (a channel LayerNorm)."""
        rows = band_height(x, self.dwconv3.in_channels)
        if rows is None:
            return self._project(x, residual, pre_norm)
        b, _, h, w = x.shape
        out = x.new_empty(b, h, w, self.project_out.out_channels).permute(0, 3, 1, 2)
        for i in range(b):
            for output, extended, crop in row_bands(h, rows, halo=self.dwconv5.padding[0]):
                shortcut = None if residual is None else residual[i:i + 1, :, output]
                out[i:i + 1, :, output] = self._project(x[i:i + 1, :, extended], shortcut,
                                                        pre_norm, crop)
        return out

    def _project(self, x: torch.Tensor, residual: Optional[torch.Tensor],
                 pre_norm: Optional[nn.Module], crop: slice = slice(None)) -> torch.Tensor:
        """The network on ``x``, keeping output rows ``crop`` (with
        ``residual`` of the cropped size added)."""
        if pre_norm is not None:
            x = pre_norm(x)
        weight_3, weight_5 = self.project_in.weight.flatten(1).chunk(2)
        bias_3, bias_5 = (self.project_in.bias.chunk(2) if self.project_in.bias is not None
                          else (None, None))
        pixels = x.permute(0, 2, 3, 1)
        h1 = linear(pixels, weight_3, bias_3).permute(0, 3, 1, 2)
        h2 = linear(pixels, weight_5, bias_5).permute(0, 3, 1, 2)
        gated = conv_gelu(h1, self.dwconv3)
        local = self.dwconv5(h2)
        gated = gated * local if torch.is_grad_enabled() else gated.mul_(local)
        return pointwise_conv(gated[:, :, crop], self.project_out, residual)
