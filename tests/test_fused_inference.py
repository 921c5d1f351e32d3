"""The CPU inference paths of the eager network: oneDNN fused kernels
(cpra_mm.models.layers.onednn_fusion), row bands
(cpra_mm.models.layers.row_bands) and residuals added inside the frequency
stage compute what the plain operations compute."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cpra_mm.models import CPRAformer
from cpra_mm.models.layers import (ChannelLayerNorm, MultiScaleGatedFFN, SpatialPixelRefinement,
                                  onednn_fusion, row_bands)
from cpra_mm.models.layers.frequency_stage import build_frequency_stage

needs_fused_ops = pytest.mark.skipif(not onednn_fusion.FUSED_OPS_PRESENT,
                                     reason='this PyTorch build has no oneDNN fused ops')


def channels_last(*shape, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=generator).contiguous(memory_format=torch.channels_last)


def depthwise(channels, kernel, bias):
    torch.manual_seed(kernel)
    return nn.Conv2d(channels, channels, kernel, padding=kernel // 2, groups=channels, bias=bias)


@needs_fused_ops
def test_fused_kernels_only_in_float32_or_bfloat16_cpu_inference():
    x = torch.zeros(1, 4, 8, 8)
    with torch.no_grad():
        assert onednn_fusion.fused_dtype(x) == torch.float32
        assert onednn_fusion.fused_dtype(x.double()) is None
        with torch.autocast('cpu', dtype=torch.bfloat16):
            expected = torch.bfloat16 if onednn_fusion.FUSED_BFLOAT16_SUPPORTED else None
            assert onednn_fusion.fused_dtype(x) == expected
        with torch.autocast('cpu', dtype=torch.float16):
            assert onednn_fusion.fused_dtype(x) is None
    with torch.enable_grad():
        assert onednn_fusion.fused_dtype(x) is None


@needs_fused_ops
def test_bfloat16_autocast_takes_the_plain_ops_where_the_cpu_lacks_onednn_bfloat16(
        monkeypatch):
    """oneDNN cannot create bfloat16 kernels on a CPU without them (seen on
    an AMD EPYC without AVX512-BF16): the network must not ask it to."""
    monkeypatch.setattr(onednn_fusion, 'FUSED_BFLOAT16_SUPPORTED', False)
    x = torch.zeros(1, 4, 8, 8)
    model = CPRAformer('tiny', layout='corrected').eval()
    image = torch.rand(1, 3, 20, 20)
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        assert onednn_fusion.fused_dtype(x) is None
        out = model(image)
    with torch.no_grad():
        assert onednn_fusion.fused_dtype(x) == torch.float32
        full = model(image)
    assert (out.float() - full).abs().max() < 0.1


@pytest.mark.parametrize('bias', [False, True])
@pytest.mark.parametrize('memory_format', ['channels_last', 'contiguous'])
def test_fused_convolutions_equal_the_plain_ones(bias, memory_format):
    x = channels_last(2, 12, 9, 11)
    other = channels_last(2, 12, 9, 11, seed=1)
    if memory_format == 'contiguous':
        x, other = x.contiguous(), other.contiguous()
    conv3, conv5 = depthwise(12, 3, bias), depthwise(12, 5, bias)
    with torch.no_grad():
        gelu = onednn_fusion.conv_gelu(x, conv3)
        torch.testing.assert_close(gelu, F.gelu(conv3(x)), rtol=0, atol=1e-5)
        torch.testing.assert_close(onednn_fusion.conv_gelu(other, conv5), F.gelu(conv5(other)),
                                   rtol=0, atol=1e-5)


@pytest.mark.parametrize('bias', [False, True])
@pytest.mark.parametrize('with_residual', [False, True])
@pytest.mark.parametrize('recording', [False, True], ids=['fused', 'plain'])
def test_fused_products_equal_the_plain_ones(bias, with_residual, recording):
    pixels = channels_last(2, 10, 6, 7).permute(0, 2, 3, 1)
    weight = torch.randn(5, 10, generator=torch.Generator().manual_seed(2))
    shift = torch.randn(5) if bias else None
    residual = torch.randn(2, 6, 7, 5) if with_residual else None
    with torch.set_grad_enabled(recording):
        out = onednn_fusion.linear(pixels, weight, shift, residual)
        expected = F.linear(pixels, weight, shift) + (0 if residual is None else residual)
        torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)
        assert out.shape == expected.shape
        torch.testing.assert_close(onednn_fusion.linear_gelu(pixels[0], weight, shift),
                                   F.gelu(F.linear(pixels[0], weight, shift)), rtol=0, atol=1e-5)


def test_fused_helpers_keep_gradients_when_recording():
    x = channels_last(1, 4, 6, 6).requires_grad_()
    conv3, conv5 = depthwise(4, 3, True), depthwise(4, 5, True)
    out = onednn_fusion.conv_gelu(x, conv3) * conv5(x)
    out.sum().backward()
    assert x.grad is not None and conv3.weight.grad is not None and conv5.weight.grad is not None


@pytest.mark.parametrize('height,rows,halo', [(10, 3, 2), (7, 7, 1), (5, 1, 2), (9, 4, 0)])
def test_row_bands_cover_every_row_once(height, rows, halo):
    covered = []
    for output, extended, crop in row_bands.row_bands(height, rows, halo):
        assert extended.start == max(0, output.start - halo)
        assert extended.stop == min(height, output.stop + halo)
        assert list(range(height))[extended][crop] == list(range(height))[output]
        covered += list(range(height))[output]
    assert covered == list(range(height))


def test_band_height_applies_to_large_maps_in_cpu_inference(monkeypatch):
    monkeypatch.setattr(row_bands, 'BAND_ELEMENTS', 1000)
    x = torch.zeros(1, 4, 20, 25)
    with torch.no_grad():
        assert row_bands.band_height(x, 10) == 4
        assert row_bands.band_height(x[:, :, :4], 10) is None
    with torch.enable_grad():
        assert row_bands.band_height(x, 10) is None


@pytest.mark.parametrize('batch', [1, 2])
@pytest.mark.parametrize('bias', [False, True])
def test_feed_forward_in_row_bands_equals_the_whole_map(monkeypatch, batch, bias):
    torch.manual_seed(0)
    ffn = MultiScaleGatedFFN(8, expansion=2.0, bias=bias).eval()
    norm = ChannelLayerNorm(8).eval()
    with torch.no_grad():
        norm.weight.normal_()
    x, residual = channels_last(batch, 8, 23, 13), channels_last(batch, 8, 23, 13, seed=3)
    with torch.no_grad():
        whole = ffn(x, residual)
        whole_normed = ffn(norm(x), residual)
        monkeypatch.setattr(row_bands, 'BAND_ELEMENTS', 16 * 13 * 4)  # 4 rows per band
        assert row_bands.band_height(x, 16) == 4
        banded = ffn(x, residual)
        banded_no_residual = ffn(x)
        banded_normed = ffn(x, residual, pre_norm=norm)
    torch.testing.assert_close(banded, whole, rtol=0, atol=1e-5)
    torch.testing.assert_close(banded_no_residual, whole - residual, rtol=0, atol=1e-5)
    torch.testing.assert_close(banded_normed, whole_normed, rtol=0, atol=1e-5)


@pytest.mark.parametrize('kind', ['reference', 'spectral'])
def test_frequency_stage_adds_a_residual_in_its_pass(kind):
    torch.manual_seed(0)
    stage = build_frequency_stage(kind, 6)
    if kind == 'spectral':
        with torch.no_grad():
            stage.mix_real.normal_()
    x, residual = channels_last(2, 6, 8, 10), channels_last(2, 6, 8, 10, seed=4)
    with torch.no_grad():
        torch.testing.assert_close(stage(x, residual), stage(x) + residual, rtol=0, atol=1e-5)


def test_whole_network_in_row_bands_equals_the_whole_map(monkeypatch):
    torch.manual_seed(0)
    model = CPRAformer('tiny', layout='corrected').eval()
    image = torch.rand(1, 3, 40, 48)
    with torch.no_grad():
        whole = model(image)
        monkeypatch.setattr(row_bands, 'BAND_ELEMENTS', 500)
        banded = model(image)
    torch.testing.assert_close(banded, whole, rtol=0, atol=1e-5)


@pytest.mark.parametrize('batch', [1, 3])
def test_pixel_refinement_per_image_products_equal_the_batched_one(batch):
    torch.manual_seed(0)
    refinement = SpatialPixelRefinement(6).eval()
    y = channels_last(batch, 6, 9, 7)
    batched = refinement(y).detach()  # gradient recorded: one batched product
    with torch.no_grad():
        per_image = refinement(y)
    torch.testing.assert_close(per_image, batched, rtol=0, atol=1e-5)
