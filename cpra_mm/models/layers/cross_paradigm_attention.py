"""CPIA-SA: cross paradigm interactive aligned self-attention."""
from typing import Optional

import torch
from torch import nn

from .cross_alignment_gates import CrossAlignmentGates
from .frequency_stage import build_frequency_stage
from .onednn_fusion import linear
from .sparse_prompt_channel_attention import SparsePromptChannelAttention
from .spatial_pixel_refinement import SpatialPixelRefinement


class CrossParadigmAttention(nn.Module):
    """The attention block of CPRAformer.

    ``conv1x1`` splits the input into halves Y and Z; Y goes through the
    spatial pixel refinement (SPR-SA), Z through the sparse prompt channel
    attention (SPC-SA); the two are aligned and fused (AAFM stage 1,
    :class:`CrossAlignmentGates`) and passed through the frequency stage
    (AAFM stage 2).

    Args:
        channels: C (even).
        num_heads: heads of the channel attention (divides C/2).
        bias: bias of the qkv and fusion convolutions.
        topk_estimator: ``'truncate'`` or ``'straight_through'``.
        gate_norm: ``'batch'``, ``'layer'`` or ``'none'``.
        frequency_stage: ``'reference'`` or ``'spectral'``.
        num_output_scales: scalars weighing the attention output.

    Shapes:
        input ``B x C x H x W``, output the same.
    """

    def __init__(self, channels: int, num_heads: int, bias: bool = False,
                 topk_estimator: str = 'truncate', gate_norm: str = 'batch',
                 frequency_stage: str = 'reference', num_output_scales: int = 4) -> None:
        super().__init__()
        if channels % 2:
            raise ValueError(f'channels must be even, got {channels}')
        half = channels // 2
        self.split = nn.Conv2d(channels, channels, kernel_size=1)
        self.spr = SpatialPixelRefinement(half)
        self.spc = SparsePromptChannelAttention(half, num_heads, bias=bias,
                                                topk_estimator=topk_estimator,
                                                num_output_scales=num_output_scales)
        self.align = CrossAlignmentGates(half, channels, norm=gate_norm, bias=bias)
        self.frequency = build_frequency_stage(frequency_stage, channels)

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The block's attention on ``x``, plus ``residual`` (same shape)
        if given, added inside the frequency stage's last pass."""
        # The two halves projected separately: contiguous maps, not slices.
        pixels = x.permute(0, 2, 3, 1)
        weight_y, weight_z = self.split.weight.flatten(1).chunk(2)
        bias_y, bias_z = self.split.bias.chunk(2)
        y = linear(pixels, weight_y, bias_y).permute(0, 3, 1, 2)
        z = linear(pixels, weight_z, bias_z).permute(0, 3, 1, 2)
        return self.frequency(self.align(self.spc(z), self.spr(y)), residual)
