"""The CPRAformer transformer block."""
import torch
from torch import nn

from .channel_layer_norm import ChannelLayerNorm
from .cross_paradigm_attention import CrossParadigmAttention
from .multi_scale_gated_ffn import MultiScaleGatedFFN


class CPRABlock(nn.Module):
    """``x + CPIA-SA(LN(x))``, then ``x + MSGN(LN(x))``.

    Args:
        channels: C.
        num_heads: heads of the channel attention.
        ffn_expansion: hidden width factor of the feed-forward network.
        bias: bias of the projection convolutions.
        norm_bias: 'WithBias' (True) or 'BiasFree' (False) layer norms.
        **attention_options: forwarded to :class:`CrossParadigmAttention`.

    Shapes:
        input ``B x C x H x W``, output the same.
    """

    def __init__(self, channels: int, num_heads: int, ffn_expansion: float = 2.66,
                 bias: bool = False, norm_bias: bool = True, **attention_options) -> None:
        super().__init__()
        self.norm1 = ChannelLayerNorm(channels, bias=norm_bias)
        self.attn = CrossParadigmAttention(channels, num_heads, bias=bias, **attention_options)
        self.norm2 = ChannelLayerNorm(channels, bias=norm_bias)
        self.ffn = MultiScaleGatedFFN(channels, ffn_expansion, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.attn(self.norm1(x), residual=x)
        return self.ffn(x, residual=x, pre_norm=self.norm2)
