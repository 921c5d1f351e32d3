"""CPRAformer: the 4-level U-Net of cross paradigm attention blocks."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .layers import CPRABlock, Downsample, Upsample
from .presets import LAYOUTS, PRESETS

SIZE_MULTIPLE = 8


class CPRAformer(nn.Module):
    """CPRAformer (Zou et al., ACM MM 2025) for single-image deraining.

    A Restormer-style U-Net: a 7x7 embedding, three encoder levels, a latent
    level, three decoder levels with concatenated skips (1x1 reductions at
    levels 3 and 2, none at level 1, so decoder level 1 and the refinement
    run at twice the base width), a 3x3 output convolution and a global
    residual.

    Args:
        preset: a key of :data:`PRESETS` (``'paper'``, ``'small'``,
            ``'tiny'``) giving the size; the size arguments below override it.
        layout: a key of :data:`LAYOUTS` (``'reference'`` or
            ``'corrected'``) giving the behaviour of the parts the reference
            code gets wrong; the behaviour arguments below override it.
        dim: base width (level 1).
        num_blocks: blocks of encoder levels 1-3 and of the latent level;
            decoder levels 3-1 mirror the first three.
        num_refinement_blocks: blocks after decoder level 1.
        heads: attention heads per level (decoder level 1 and the refinement
            use ``heads[0]``).
        ffn_expansion: hidden width factor of the feed-forward networks.
        bias: bias of the projection convolutions (False in the paper).
        norm_bias: 'WithBias' layer norms (True in the paper).
        topk_estimator: ``'truncate'`` or ``'straight_through'``.
        gate_norm: ``'batch'``, ``'layer'`` or ``'none'``.
        frequency_stage: ``'reference'`` or ``'spectral'``.
        num_output_scales: scalars weighing the attention output (4 in the
            reference layout).
        clamp_output: clamp the output to [0, 1] in eval mode (training
            outputs are never clamped, so losses see the raw prediction).

    Shapes:
        input ``B x 3 x H x W`` float RGB in [0, 1], any ``H, W >= 1`` (padded
        inside to a multiple of 8 by reflection, or replication where the
        image is too small to reflect, and cropped back); output the same
        shape, in [0, 1] in eval mode.
    """

    def __init__(self, preset: Optional[str] = 'paper', layout: str = 'reference',
                 dim: Optional[int] = None, num_blocks: Optional[Sequence[int]] = None,
                 num_refinement_blocks: Optional[int] = None,
                 heads: Optional[Sequence[int]] = None, ffn_expansion: Optional[float] = None,
                 bias: bool = False, norm_bias: bool = True,
                 topk_estimator: Optional[str] = None, gate_norm: Optional[str] = None,
                 frequency_stage: Optional[str] = None,
                 num_output_scales: Optional[int] = None, clamp_output: bool = True,
                 in_channels: int = 3) -> None:
        super().__init__()
        if preset is not None and preset not in PRESETS:
            raise ValueError(f'preset must be one of {sorted(PRESETS)} or None, got {preset!r}')
        if layout not in LAYOUTS:
            raise ValueError(f'layout must be one of {sorted(LAYOUTS)}, got {layout!r}')
        size = dict(PRESETS[preset]) if preset is not None else {}
        given = dict(dim=dim, num_blocks=num_blocks, num_refinement_blocks=num_refinement_blocks,
                     heads=heads, ffn_expansion=ffn_expansion)
        size.update({k: v for k, v in given.items() if v is not None})
        missing = [k for k in given if k not in size]
        if missing:
            raise ValueError(f'preset=None needs explicit {missing}')
        behaviour = dict(LAYOUTS[layout])
        chosen = dict(topk_estimator=topk_estimator, gate_norm=gate_norm,
                      frequency_stage=frequency_stage, num_output_scales=num_output_scales)
        behaviour.update({k: v for k, v in chosen.items() if v is not None})
        if len(size['num_blocks']) != 4 or len(size['heads']) != 4:
            raise ValueError('num_blocks and heads need 4 entries (levels 1-3 and latent), got '
                             f'{size["num_blocks"]} and {size["heads"]}')
        self.preset, self.layout = preset, layout
        self.config = dict(size, **behaviour, bias=bias, norm_bias=norm_bias)
        self.clamp_output = clamp_output
        self.in_channels = in_channels

        d = size['dim']
        blocks, heads_ = size['num_blocks'], size['heads']

        def level(channels: int, n: int, h: int) -> nn.Sequential:
            return nn.Sequential(*[
                CPRABlock(channels, h, size['ffn_expansion'], bias=bias, norm_bias=norm_bias,
                          **behaviour) for _ in range(n)
            ])

        self.patch_embed = nn.Conv2d(in_channels, d, kernel_size=7, padding=3, bias=False)
        self.encoder_level1 = level(d, blocks[0], heads_[0])
        self.down1_2 = Downsample(d)
        self.encoder_level2 = level(d * 2, blocks[1], heads_[1])
        self.down2_3 = Downsample(d * 2)
        self.encoder_level3 = level(d * 4, blocks[2], heads_[2])
        self.down3_4 = Downsample(d * 4)
        self.latent = level(d * 8, blocks[3], heads_[3])
        self.up4_3 = Upsample(d * 8)
        self.reduce_chan_level3 = nn.Conv2d(d * 8, d * 4, kernel_size=1, bias=bias)
        self.decoder_level3 = level(d * 4, blocks[2], heads_[2])
        self.up3_2 = Upsample(d * 4)
        self.reduce_chan_level2 = nn.Conv2d(d * 4, d * 2, kernel_size=1, bias=bias)
        self.decoder_level2 = level(d * 2, blocks[1], heads_[1])
        self.up2_1 = Upsample(d * 2)
        self.decoder_level1 = level(d * 2, blocks[0], heads_[0])
        self.refinement = level(d * 2, size['num_refinement_blocks'], heads_[0])
        self.output = nn.Conv2d(d * 2, in_channels, kernel_size=3, padding=1, bias=bias)
        # Channels-last storage: oneDNN (CPU) and cuDNN convolutions run
        # faster on it, and the channel LayerNorms then need no layout copies.
        self.to(memory_format=torch.channels_last)

    def _check_input(self, x: torch.Tensor) -> None:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f'CPRAformer expects a torch.Tensor, got {type(x).__name__}')
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f'CPRAformer expects B x {self.in_channels} x H x W, got shape '
                             f'{tuple(x.shape)}')
        if not x.is_floating_point():
            raise TypeError(f'CPRAformer expects a float tensor in [0, 1], got {x.dtype}')
        if x.shape[0] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
            raise ValueError(f'CPRAformer got an empty input of shape {tuple(x.shape)}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        h, w = x.shape[-2:]
        pad_h, pad_w = -h % SIZE_MULTIPLE, -w % SIZE_MULTIPLE
        if pad_h or pad_w:
            mode = 'reflect' if pad_h < h and pad_w < w else 'replicate'
            x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
        x = x.contiguous(memory_format=torch.channels_last)

        enc1 = self.encoder_level1(self.patch_embed(x))
        enc2 = self.encoder_level2(self.down1_2(enc1))
        enc3 = self.encoder_level3(self.down2_3(enc2))
        latent = self.latent(self.down3_4(enc3))
        dec3 = self.decoder_level3(
            self.reduce_chan_level3(torch.cat([self.up4_3(latent), enc3], dim=1)))
        dec2 = self.decoder_level2(
            self.reduce_chan_level2(torch.cat([self.up3_2(dec3), enc2], dim=1)))
        dec1 = self.decoder_level1(torch.cat([self.up2_1(dec2), enc1], dim=1))
        out = self.output(self.refinement(dec1)) + x

        out = out[..., :h, :w].contiguous()
        if self.clamp_output and not self.training:
            out = out.clamp(0, 1)
        return out
