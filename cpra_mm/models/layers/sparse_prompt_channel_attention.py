"""SPC-SA: sparse prompt channel attention."""
import torch
from torch import nn

from .pointwise_conv import pointwise_conv
from .prompt_guided_topk import PromptGuidedTopK

NORM_EPS = 1e-12
"""Floor of the q and k norms, as in ``F.normalize``."""


class SparsePromptChannelAttention(nn.Module):
    """Transposed (channel-to-channel) attention whose rows keep only the
    top-K affinities, K chosen per image by :class:`PromptGuidedTopK`.

    ``qkv = dwconv3x3(conv1x1(z))``; q and k are L2-normalised along the
    pixels of each channel, so the ``c x c`` logits of each head are cosine
    similarities times a learned per-head temperature. The output
    ``attn @ v`` is computed once and multiplied by the sum of
    ``output_scales`` (four entries in the reference layout, the reference
    code's four scalars; ``docs/architecture.md``, B2).

    Args:
        channels: channels of ``z`` (C/2 of the block); divisible by heads.
        num_heads: attention heads.
        bias: bias of the qkv convolutions.
        topk_estimator: see :class:`PromptGuidedTopK`.
        num_output_scales: 4 in the reference layout, 1 otherwise.

    Under bf16 / fp16 autocast the logits, the gate and the top-K run in
    float32 (only the projections and ``attn @ v`` in the low type).

    Shapes:
        input ``B x channels x H x W``, output the same.
    """

    def __init__(self, channels: int, num_heads: int, bias: bool = False,
                 topk_estimator: str = 'truncate', num_output_scales: int = 4) -> None:
        super().__init__()
        if channels % num_heads:
            raise ValueError(f'channels ({channels}) must be divisible by num_heads ({num_heads})')
        self.num_heads = num_heads
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.qkv = nn.Conv2d(channels, channels * 3, kernel_size=1, bias=bias)
        self.qkv_dw = nn.Conv2d(channels * 3, channels * 3, kernel_size=3, padding=1,
                                groups=channels * 3, bias=bias)
        self.topk = PromptGuidedTopK(channels, estimator=topk_estimator)
        self.output_scales = nn.Parameter(torch.full((num_output_scales,), 0.8 / num_output_scales))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        b, c, h, w = z.shape
        heads, d = self.num_heads, c // self.num_heads
        # Pixels as rows (channels-last needs no copy): q, k, v are
        # B x heads x HW x d views of the qkv map.
        qkv = self.qkv_dw(pointwise_conv(z, self.qkv)).permute(0, 2, 3, 1).reshape(b, h * w, 3 * c)
        q, k, v = qkv.view(b, h * w, 3, heads, d).permute(2, 0, 3, 1, 4).unbind(0)
        # The c x c logits sum over all H x W pixels and K is the floor of a
        # mean over them: under bf16 / fp16 autocast both would round enough
        # to change which affinities are kept, so they run in float32.
        with torch.autocast(z.device.type, enabled=False):
            q, k = q.float(), k.float()
            # Cosine similarities: the dot products divided by the norms (the
            # c x c logits are scaled, not the full-size q and k). The squared
            # norms of all q and k channels are one product, 1 x HW @ HW x 2C
            # (faster than a strided reduction over the pixels).
            qk = qkv[..., :2 * c].float()
            squares = qk.new_ones(b, 1, h * w) @ qk.square()
            q_norm, k_norm = squares.view(b, 2, heads, d).sqrt().clamp_min(NORM_EPS).unbind(1)
            logits = q.transpose(-2, -1) @ k
            logits = logits / (q_norm.unsqueeze(-1) * k_norm.unsqueeze(-2)) * self.temperature
            attn = self.topk(logits, self.topk.gate_mean(z.float())) * self.output_scales.sum()
        out = v @ attn.to(v.dtype).transpose(-2, -1)
        return out.transpose(1, 2).reshape(b, h, w, c).permute(0, 3, 1, 2)
