"""AAFM stage 2: the frequency stage, in the reference form and as a real
spectral filter."""
import math
from typing import Optional

import torch
from torch import nn

from .real_dft import dft_frequencies, irfft2_real, rfft2_real

FREQUENCY_STAGES = ('reference', 'spectral')


def circular_reflection(x: torch.Tensor) -> torch.Tensor:
    """``x[..., -i mod H, -j mod W]``: the image reflected through pixel (0, 0)
    on the torus. ``B x C x H x W`` -> same (channels-last), one gather of
    the pixels."""
    b, c, h, w = x.shape
    rows = torch.remainder(-torch.arange(h, device=x.device), h)
    cols = torch.remainder(-torch.arange(w, device=x.device), w)
    index = (rows[:, None] * w + cols[None, :]).flatten()
    pixels = x.permute(0, 2, 3, 1).reshape(b, h * w, c)
    return pixels.index_select(1, index).view(b, h, w, c).permute(0, 3, 1, 2)


class ReflectionFrequencyStage(nn.Module):
    """The reference code's frequency stage, computed without an FFT.

    ``y = (a+b)/2 * x + (a-b)/2 * x~ + r * delta(0,0)``, with ``x~`` the
    :func:`circular_reflection` of ``x``: exactly what the reference's
    FFT, per-channel scaling of the real (``a``, shift ``r``) and imaginary
    (``b``) parts and inverse FFT compute (``docs/architecture.md``, B5).
    The parameters keep the reference layout (``weight``:
    ``2C x 1 x 1 x 1``, real scales then imaginary scales; ``bias``:
    ``2C``), so checkpoints map one-to-one.

    Args:
        channels: C.

    Shapes:
        input ``B x C x H x W``, output the same.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        bound = 1.0  # nn.Conv2d's default init for fan_in = 1
        self.weight = nn.Parameter(torch.empty(channels * 2, 1, 1, 1).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(channels * 2).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The stage applied to ``x``, plus ``residual`` (same shape) if
        given, added in the same pass."""
        c = x.shape[1]
        real_scale, imag_scale = self.weight.view(2, 1, c, 1, 1).to(x.dtype)
        direct = ((real_scale + imag_scale) / 2 * x if residual is None
                  else torch.addcmul(residual, (real_scale + imag_scale) / 2, x))
        out = torch.addcmul(direct, (real_scale - imag_scale) / 2, circular_reflection(x))
        out[:, :, 0, 0] += self.bias[:c].to(x.dtype)
        return out


class SpectralFilter(nn.Module):
    """A learned, shift-equivariant filter in the frequency domain, with a
    residual connection (the corrected layout's frequency stage,
    ``docs/architecture.md``, B5).

    ``y = x + irfft2(W (g(|f|) * rfft2(x)))``: each channel's spectrum is
    weighted by a real radial gain ``g_c(|f|)`` (a mix of ``num_bands`` hat
    functions over the normalised frequency radius), then the channels are
    mixed by one complex ``C x C`` matrix ``W = A + iB``, which starts at
    zero (the stage starts as the identity). The FFT runs in float32 under
    any autocast; the result has the input's dtype.

    With ``dft_as_matmul`` set (only while exporting to ONNX, which has no
    FFT: :func:`cpra_mm.deployment.onnx_export.dft_as_matmul`) the same
    filter is computed with DFT matrices built from the runtime size
    (:mod:`.real_dft`; equal to float32 rounding, slower).

    Args:
        channels: C.
        num_bands: hat functions of the radial gain.

    Shapes:
        input ``B x C x H x W``, output the same.
    """

    def __init__(self, channels: int, num_bands: int = 4) -> None:
        super().__init__()
        self.mix_real = nn.Parameter(torch.zeros(channels, channels))
        self.mix_imag = nn.Parameter(torch.zeros(channels, channels))
        self.band_gains = nn.Parameter(torch.ones(channels, num_bands))
        self.num_bands = num_bands
        self.dft_as_matmul = False

    def radial_gain(self, height: int, width: int, device: torch.device) -> torch.Tensor:
        """``C x height x (width//2 + 1)`` real gains of the rfft2 grid."""
        if self.dft_as_matmul:
            fy, fx = dft_frequencies(height, width, device)
        else:
            fy = torch.fft.fftfreq(height, device=device)
            fx = torch.fft.rfftfreq(width, device=device)
        radius = torch.sqrt(fy[:, None] ** 2 + fx[None, :] ** 2) / math.sqrt(0.5)
        centres = torch.linspace(0, 1, self.num_bands, device=device)
        spacing = 1.0 / max(1, self.num_bands - 1)
        hats = (1 - (radius[None] - centres[:, None, None]).abs() / spacing).clamp(min=0)
        return torch.einsum('cm,mhw->chw', self.band_gains.float(), hats)

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The filter applied to ``x``, plus ``residual`` (same shape) if
        given."""
        out = x + self._filtered(x)
        return out if residual is None else residual + out

    def _filtered(self, x: torch.Tensor) -> torch.Tensor:
        """``irfft2(W (g * rfft2(x)))`` in ``x``'s dtype and layout."""
        h, w = x.shape[-2:]
        with torch.autocast(device_type=x.device.type, enabled=False):
            # Transforms over the H and W axes of the channels-last pixels:
            # channels are the contiguous axis throughout, and the channel
            # mixing is one complex matrix product per frequency.
            pixels = x.permute(0, 2, 3, 1).float()
            if self.dft_as_matmul:
                filtered = self._filter_with_dft_matrices(pixels)
                return filtered.permute(0, 3, 1, 2).to(x.dtype)
            spectrum = torch.fft.rfftn(pixels, dim=(1, 2), norm='ortho')
            spectrum = spectrum * self.radial_gain(h, w, x.device).permute(1, 2, 0)
            mix = torch.complex(self.mix_real.float(), self.mix_imag.float())
            filtered = torch.fft.irfftn(spectrum @ mix.t(), s=(h, w), dim=(1, 2), norm='ortho')
        return filtered.permute(0, 3, 1, 2).to(x.dtype)

    def _filter_with_dft_matrices(self, pixels: torch.Tensor) -> torch.Tensor:
        """The filtered part of ``forward`` (``irfft2(W g rfft2(x))``) with
        DFT matrices: ``B x H x W x C`` float32 pixels -> the same."""
        h, w = pixels.shape[1], pixels.shape[2]
        real, imag = rfft2_real(pixels)
        gain = self.radial_gain(h, w, pixels.device).permute(1, 2, 0)
        real, imag = real * gain, imag * gain
        # (real + i imag) @ (A + iB)^T, in real arithmetic.
        a, b = self.mix_real.float().t(), self.mix_imag.float().t()
        return irfft2_real(real @ a - imag @ b, real @ b + imag @ a, w)


def build_frequency_stage(kind: str, channels: int) -> nn.Module:
    """``'reference'`` -> :class:`ReflectionFrequencyStage`,
    ``'spectral'`` -> :class:`SpectralFilter`."""
    if kind == 'reference':
        return ReflectionFrequencyStage(channels)
    if kind == 'spectral':
        return SpectralFilter(channels)
    raise ValueError(f'frequency_stage must be one of {FREQUENCY_STAGES}, got {kind!r}')
