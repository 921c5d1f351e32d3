"""AAFM stage 2: the reference form equals the authors' FFT computation, and
the spectral filter commutes with circular shifts."""
import torch

from cpra_mm.models.layers import ReflectionFrequencyStage, SpectralFilter


def authors_fft_stage(x, weight, bias):
    """The authors' computation, written from docs/architecture.md (B5):
    depthwise 1x1 on [Re; Im] of fft2, real part of the inverse."""
    spectrum = torch.fft.fft2(x)
    stacked = torch.cat([spectrum.real, spectrum.imag], dim=1)
    scaled = stacked * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
    real, imag = scaled.chunk(2, dim=1)
    return torch.fft.ifft2(torch.complex(real, imag)).real


def test_reflection_form_equals_the_fft_form():
    stage = ReflectionFrequencyStage(5)
    x = torch.randn(2, 5, 7, 10)
    expected = authors_fft_stage(x, stage.weight.detach(), stage.bias.detach())
    assert torch.allclose(stage(x), expected, atol=1e-5)


def test_reflection_form_is_not_shift_equivariant():
    stage = ReflectionFrequencyStage(3)
    x = torch.randn(1, 3, 8, 8)
    shifted = torch.roll(x, shifts=(2, 3), dims=(-2, -1))
    assert not torch.allclose(stage(shifted), torch.roll(stage(x), (2, 3), (-2, -1)), atol=1e-3)


def test_spectral_filter_commutes_with_circular_shifts():
    stage = SpectralFilter(6)
    with torch.no_grad():
        stage.mix_real.normal_()
        stage.mix_imag.normal_()
        stage.band_gains.normal_()
    for size in [(8, 8), (9, 12)]:
        x = torch.randn(2, 6, *size)
        for shift in [(1, 0), (3, 5), (-2, 7)]:
            shifted_in = stage(torch.roll(x, shifts=shift, dims=(-2, -1)))
            shifted_out = torch.roll(stage(x), shifts=shift, dims=(-2, -1))
            assert torch.allclose(shifted_in, shifted_out, atol=1e-4)


def test_spectral_filter_starts_as_identity_and_is_frequency_selective():
    stage = SpectralFilter(2, num_bands=4)
    x = torch.randn(1, 2, 16, 16)
    assert torch.allclose(stage(x), x, atol=1e-6)
    with torch.no_grad():
        stage.mix_real.copy_(torch.eye(2))
        stage.band_gains.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0]] * 2))  # low-pass
    low = torch.ones(1, 2, 16, 16)
    high = torch.ones(1, 2, 16, 16)
    high[..., ::2, :] = -1
    gain_low = (stage(low) - low).norm() / low.norm()
    gain_high = (stage(high) - high).norm() / high.norm()
    assert gain_low > 0.9 and gain_high < 0.1


def test_spectral_filter_keeps_dtype_under_bfloat16():
    stage = SpectralFilter(4)
    x = torch.randn(1, 4, 8, 8, dtype=torch.bfloat16)
    assert stage(x).dtype == torch.bfloat16
