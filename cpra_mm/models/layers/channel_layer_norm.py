"""Layer normalisation over the channel axis of feature maps."""
import torch
import torch.nn.functional as F
from torch import nn


class ChannelLayerNorm(nn.Module):
    """LayerNorm over channels of a ``B x C x H x W`` map, at every pixel.

    Equals the reference code's ``WithBias`` (``bias=True``) and
    ``BiasFree`` (``bias=False``) variants; the bias-free one divides by the
    standard deviation without subtracting the mean, as the reference does.

    Args:
        channels: C.
        bias: learn a shift as well as a scale (the 'WithBias' variant).
        eps: added to the variance.

    Shapes:
        input ``B x C x H x W`` (any real values), output the same.
    """

    def __init__(self, channels: int, bias: bool = True, eps: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is not None:
            normed = F.layer_norm(x.permute(0, 2, 3, 1), self.weight.shape, self.weight, self.bias,
                                  self.eps)
            return normed.permute(0, 3, 1, 2)
        var = x.var(dim=1, keepdim=True, unbiased=False)
        return x * torch.rsqrt(var + self.eps) * self.weight.view(1, -1, 1, 1)
