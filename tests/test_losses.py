"""Tests of cpra_mm's training losses (pure PyTorch)."""
import math

import numpy as np
import pytest
import torch

from cpra_mm.losses import (FFTLoss, LaplacianEdgeLoss, LocalMeanLoss, TextureEnergyLoss,
                            block_means, laplacian_response, over_removal_weight,
                            rain_residual_weight, texture_energy)
from cpra_mm.losses.laplacian_edge_loss import BINOMIAL_TAPS, binomial_kernel


def _kernel(dtype=torch.float64) -> torch.Tensor:
    taps = torch.tensor(BINOMIAL_TAPS, dtype=dtype)
    return torch.outer(taps, taps)


def _numpy_laplacian(image: np.ndarray) -> np.ndarray:
    """Independent loop implementation for one H x W channel."""
    taps = np.array(BINOMIAL_TAPS)
    kernel = np.outer(taps, taps)

    def blur(x):
        padded = np.pad(x, 2, mode='edge')
        out = np.zeros_like(x)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = (padded[i:i + 5, j:j + 5] * kernel).sum()
        return out

    blurred = blur(image)
    expanded = np.zeros_like(blurred)
    expanded[::2, ::2] = 4 * blurred[::2, ::2]
    return image - blur(expanded)


def _impulse(size: int = 16, at: int = 8) -> torch.Tensor:
    image = torch.zeros(1, 1, size, size, dtype=torch.float64)
    image[0, 0, at, at] = 1.0
    return image


class TestLaplacianResponse:

    def test_impulse_centre_value_by_hand(self):
        # Blur spreads the impulse with k(dy)k(dx); decimation keeps the even
        # offsets {-2, 0, 2} scaled by 4; the second blur brings back
        # 4 * (sum of k(d)^2 over those offsets)^2 = 4 * 0.165^2 = 0.1089.
        response = laplacian_response(_impulse(), _kernel())
        assert response[0, 0, 8, 8].item() == pytest.approx(1 - 0.1089, abs=1e-12)

    def test_interior_impulse_response_sums_to_zero(self):
        response = laplacian_response(_impulse(), _kernel())
        assert response.sum().item() == pytest.approx(0.0, abs=1e-12)

    def test_constant_image_has_no_interior_response(self):
        response = laplacian_response(torch.full((1, 1, 20, 20), 0.7, dtype=torch.float64),
                                      _kernel())
        assert response[..., 4:-4, 4:-4].abs().max().item() < 1e-12

    @pytest.mark.parametrize('shape', [(7, 9), (8, 8), (1, 5)])
    def test_matches_loop_implementation(self, shape):
        image = np.random.default_rng(0).random(shape)
        expected = _numpy_laplacian(image)
        got = laplacian_response(torch.from_numpy(image)[None, None], _kernel())
        np.testing.assert_allclose(got[0, 0].numpy(), expected, atol=1e-12)


class TestLaplacianEdgeLoss:

    def test_identical_inputs_give_the_charbonnier_floor(self):
        image = torch.rand(2, 3, 12, 10)
        loss = LaplacianEdgeLoss(loss_weight=0.05, eps=1e-3)(image, image.clone())
        assert loss.item() == pytest.approx(0.05 * 1e-3, rel=1e-5)

    def test_value_by_hand_at_the_impulse(self):
        eps = 1e-3
        loss = LaplacianEdgeLoss(eps=eps, reduction='none')(_impulse(),
                                                           torch.zeros(1, 1, 16, 16,
                                                                       dtype=torch.float64))
        assert loss.shape == (1, 1, 16, 16)
        assert loss[0, 0, 8, 8].item() == pytest.approx(math.sqrt(0.8911**2 + eps**2),
                                                        abs=1e-12)

    def test_mean_and_sum_reductions(self):
        pred, target = torch.rand(2, 3, 9, 11), torch.rand(2, 3, 9, 11)
        none = LaplacianEdgeLoss(reduction='none')(pred, target)
        assert LaplacianEdgeLoss()(pred, target).item() == pytest.approx(none.mean().item())
        assert LaplacianEdgeLoss(reduction='sum')(pred, target).item() == pytest.approx(
            none.sum().item(), rel=1e-5)

    def test_weight_selects_samples(self):
        pred, target = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8)
        loss = LaplacianEdgeLoss()
        weighted = loss(pred, target, weight=torch.tensor([1.0, 0.0]).view(2, 1, 1, 1))
        assert weighted.item() == pytest.approx(loss(pred[:1], target[:1]).item(), rel=1e-6)

    def test_gradients_flow(self):
        pred = torch.rand(1, 3, 10, 10, dtype=torch.float64, requires_grad=True)
        target = torch.rand(1, 3, 10, 10, dtype=torch.float64)
        assert torch.autograd.gradcheck(LaplacianEdgeLoss(), (pred, target))
        LaplacianEdgeLoss()(pred, target).backward()
        assert torch.isfinite(pred.grad).all() and pred.grad.abs().sum() > 0

    def test_any_channel_count_and_dtype(self):
        for channels in (1, 4):
            image = torch.rand(1, channels, 6, 6, dtype=torch.float64)
            assert LaplacianEdgeLoss()(image, image * 0.5).dtype == torch.float64

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError):
            LaplacianEdgeLoss(reduction='max')
        with pytest.raises(ValueError):
            LaplacianEdgeLoss(eps=0)
        with pytest.raises(ValueError):
            LaplacianEdgeLoss()(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))


class TestFFTLoss:

    def test_identical_inputs_give_zero(self):
        image = torch.rand(2, 3, 12, 10)
        assert FFTLoss()(image, image.clone()).item() == 0.0

    def test_constant_offset_by_hand(self):
        # Only the DC coefficient differs, by c * H * W; the mean runs over
        # 2 * H * (W // 2 + 1) real and imaginary components.
        c, height, width = 0.5, 4, 6
        loss = FFTLoss()(torch.full((1, 1, height, width), c), torch.zeros(1, 1, height, width))
        assert loss.item() == pytest.approx(c * height * width / (2 * height * (width // 2 + 1)))

    def test_cosine_by_hand(self):
        # cos(2 pi w / W) puts H * W / 2 into coefficient (0, 1) only.
        height, width = 4, 8
        wave = torch.cos(2 * math.pi * torch.arange(width) / width).expand(1, 1, height, width)
        loss = FFTLoss(reduction='sum')(wave, torch.zeros_like(wave))
        assert loss.item() == pytest.approx(height * width / 2, rel=1e-5)
        ortho = FFTLoss(reduction='sum', norm='ortho')(wave, torch.zeros_like(wave))
        assert ortho.item() == pytest.approx(math.sqrt(height * width) / 2, rel=1e-5)

    def test_none_reduction_shape_and_weights(self):
        pred, target = torch.rand(2, 3, 8, 10), torch.rand(2, 3, 8, 10)
        assert FFTLoss(reduction='none')(pred, target).shape == (2, 3, 8, 6, 2)
        weighted = FFTLoss()(pred, target, weight=torch.tensor([0.0, 1.0]).view(2, 1, 1, 1))
        assert weighted.item() == pytest.approx(FFTLoss()(pred[1:], target[1:]).item(), rel=1e-6)

    def test_loss_weight_scales(self):
        pred, target = torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8)
        assert FFTLoss(loss_weight=0.1)(pred, target).item() == pytest.approx(
            0.1 * FFTLoss()(pred, target).item(), rel=1e-6)

    def test_gradients_flow(self):
        pred = torch.rand(1, 2, 6, 7, dtype=torch.float64, requires_grad=True)
        target = torch.rand(1, 2, 6, 7, dtype=torch.float64)
        assert torch.autograd.gradcheck(FFTLoss(), (pred, target))

    def test_half_precision_inputs_are_computed_in_float32(self):
        pred, target = torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8)
        loss = FFTLoss()(pred.bfloat16(), target.bfloat16())
        assert loss.dtype == torch.float32
        assert loss.item() == pytest.approx(FFTLoss()(pred, target).item(), rel=2e-2)

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError):
            FFTLoss(norm='unitary')
        with pytest.raises(ValueError):
            FFTLoss()(torch.rand(3, 8, 8), torch.rand(3, 8, 8))


class TestLocalMeanLoss:

    def test_block_means_by_hand_with_partial_cells(self):
        image = torch.arange(5 * 7, dtype=torch.float64).reshape(1, 1, 5, 7)
        means = block_means(image, 4)
        assert means.shape == (1, 1, 2, 2)
        expected = [[image[0, 0, :4, :4].mean(), image[0, 0, :4, 4:].mean()],
                    [image[0, 0, 4:, :4].mean(), image[0, 0, 4:, 4:].mean()]]
        assert torch.allclose(means[0, 0], torch.tensor(expected, dtype=torch.float64))

    def test_identical_inputs_give_the_charbonnier_floor(self):
        image = torch.rand(2, 3, 16, 16)
        assert LocalMeanLoss(loss_weight=2.0, eps=1e-3)(image, image.clone()).item() == \
            pytest.approx(2e-3)

    def test_a_uniform_offset_costs_its_size_and_detail_that_averages_out_costs_nothing(self):
        target = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
        darker = LocalMeanLoss(eps=1e-6)(target - 0.1, target)
        assert darker.item() == pytest.approx(0.1, rel=1e-4)
        checkerboard = 0.2 * (torch.arange(16).view(16, 1) + torch.arange(16)).remainder(2) - 0.1
        assert LocalMeanLoss(block=8, eps=1e-6)(target + checkerboard, target).item() < 1e-5
        assert LocalMeanLoss(block=1, eps=1e-6)(target + checkerboard, target).item() == \
            pytest.approx(0.1, rel=1e-4)

    def test_none_reduction_shape_and_weights(self):
        pred, target = torch.rand(2, 3, 10, 12), torch.rand(2, 3, 10, 12)
        assert LocalMeanLoss(block=4, reduction='none')(pred, target).shape == (2, 3, 3, 3)
        weighted = LocalMeanLoss()(pred, target, weight=torch.tensor([0.0, 1.0]).view(2, 1, 1, 1))
        assert weighted.item() == pytest.approx(LocalMeanLoss()(pred[1:], target[1:]).item(),
                                                rel=1e-6)

    def test_gradients_flow(self):
        pred = torch.rand(1, 2, 6, 7, dtype=torch.float64, requires_grad=True)
        target = torch.rand(1, 2, 6, 7, dtype=torch.float64)
        assert torch.autograd.gradcheck(LocalMeanLoss(block=3), (pred, target))

    @pytest.mark.parametrize('kwargs', [dict(block=0), dict(block=2.5), dict(eps=0.0),
                                        dict(reduction='median')])
    def test_rejects_bad_arguments(self, kwargs):
        with pytest.raises(ValueError):
            LocalMeanLoss(**kwargs)

    def test_rejects_mismatched_inputs(self):
        with pytest.raises(ValueError, match='N x C x H x W'):
            LocalMeanLoss()(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))


def _checkerboard(side: int, amplitude: float) -> torch.Tensor:
    """``1 x 1 x side x side`` checkerboard of +-amplitude, float64 (the
    5 x 5 binomial blur maps it to exactly 0)."""
    parity = (torch.arange(side).view(side, 1) + torch.arange(side)).remainder(2)
    return (amplitude * (2 * parity - 1)).to(torch.float64).view(1, 1, side, side)


class TestTextureEnergyLoss:

    def test_energy_is_the_rms_of_detail_the_blur_removes(self):
        kernel = binomial_kernel()
        flat = torch.full((1, 1, 24, 24), 0.3, dtype=torch.float64)
        assert torch.allclose(texture_energy(flat, kernel, 8, 1e-3), torch.tensor(1e-3,
                                                                             dtype=torch.float64))
        energy = texture_energy(0.5 + _checkerboard(24, 0.1), kernel, 8, 1e-3)
        assert energy.shape == (1, 1, 3, 3)
        assert energy[0, 0, 1, 1].item() == pytest.approx(math.sqrt(0.1**2 + 1e-6), rel=1e-7)

    def test_identical_inputs_cost_nothing(self):
        image = torch.rand(2, 3, 16, 16)
        assert TextureEnergyLoss()(image, image.clone()).item() == 0.0

    def test_detail_in_another_place_is_free_and_missing_detail_costs_its_energy(self):
        target = 0.5 + _checkerboard(24, 0.1)
        shifted = 0.5 - _checkerboard(24, 0.1)
        loss = TextureEnergyLoss(block=8, eps=1e-6, reduction='none')
        assert loss(shifted, target)[0, 0, 1, 1].item() < 1e-12, 'phase does not matter'
        assert (shifted - target).abs().mean().item() == pytest.approx(0.2), 'unlike a pixel loss'
        smooth = torch.full_like(target, 0.5)
        assert loss(smooth, target)[0, 0, 1, 1].item() == pytest.approx(0.1, rel=1e-4)
        assert loss(target + _checkerboard(24, 0.05), target)[0, 0, 1, 1].item() == \
            pytest.approx(0.05, rel=1e-4), 'extra detail (rain left) costs too'

    def test_none_reduction_shape_and_weights(self):
        pred, target = torch.rand(2, 3, 10, 12), torch.rand(2, 3, 10, 12)
        assert TextureEnergyLoss(block=4, reduction='none')(pred, target).shape == (2, 3, 3, 3)
        weighted = TextureEnergyLoss(loss_weight=3.0)(
            pred, target, weight=torch.tensor([0.0, 1.0]).view(2, 1, 1, 1))
        assert weighted.item() == pytest.approx(
            3.0 * TextureEnergyLoss()(pred[1:], target[1:]).item(), rel=1e-6)

    def test_gradients_flow(self):
        pred = torch.rand(1, 2, 6, 7, dtype=torch.float64, requires_grad=True)
        target = torch.rand(1, 2, 6, 7, dtype=torch.float64)
        assert torch.autograd.gradcheck(TextureEnergyLoss(block=3), (pred, target))

    @pytest.mark.parametrize('kwargs', [dict(block=0), dict(block=2.5), dict(eps=0.0),
                                        dict(reduction='median')])
    def test_rejects_bad_arguments(self, kwargs):
        with pytest.raises(ValueError):
            TextureEnergyLoss(**kwargs)

    def test_rejects_mismatched_inputs(self):
        with pytest.raises(ValueError, match='N x C x H x W'):
            TextureEnergyLoss()(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))


# --------------------------------------------------------------------------
# rain_residual_weight
# --------------------------------------------------------------------------

def test_rain_residual_weight_grows_with_the_change_and_saturates():
    clean = torch.full((1, 3, 1, 4), 0.5)
    rainy = clean.clone()
    rainy[0, 1, 0, 1] += 0.05   # half the saturation, in one channel
    rainy[0, :, 0, 2] += 0.1    # exactly the saturation
    rainy[0, 0, 0, 3] -= 0.4    # beyond it, darker
    weight = rain_residual_weight(rainy, clean, emphasis=4.0, saturation=0.1)
    assert weight.shape == (1, 1, 1, 4)
    assert torch.allclose(weight.flatten(), torch.tensor([1.0, 3.0, 5.0, 5.0]))


def test_rain_residual_weight_is_uniform_on_a_dry_pair_and_without_emphasis():
    clean = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(rain_residual_weight(clean, clean.clone(), 4.0, 0.1),
                       torch.ones(2, 1, 8, 8))
    rainy = (clean + 0.3).clamp(max=1)
    assert torch.equal(rain_residual_weight(rainy, clean, 0.0, 0.1), torch.ones(2, 1, 8, 8))


def test_rain_residual_weight_carries_no_gradient():
    rainy = torch.rand(1, 3, 4, 4, requires_grad=True)
    assert not rain_residual_weight(rainy, torch.zeros(1, 3, 4, 4), 4.0, 0.1).requires_grad


@pytest.mark.parametrize('kwargs, message', [
    (dict(rainy=torch.zeros(1, 3, 4, 4), clean=torch.zeros(1, 3, 4, 5)), 'one shape'),
    (dict(rainy=torch.zeros(3, 4, 4), clean=torch.zeros(3, 4, 4)), 'N x C x H x W'),
    (dict(emphasis=-1.0), 'emphasis'),
    (dict(saturation=0.0), 'saturation'),
])
def test_rain_residual_weight_rejects_bad_arguments(kwargs, message):
    arguments = dict(rainy=torch.zeros(1, 3, 4, 4), clean=torch.zeros(1, 3, 4, 4),
                     emphasis=4.0, saturation=0.1)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        rain_residual_weight(**arguments)


# --------------------------------------------------------------------------
# over_removal_weight
# --------------------------------------------------------------------------

def test_over_removal_weight_counts_darker_predictions_on_rain_only():
    clean = torch.full((1, 3, 1, 4), 0.5)
    rainy = clean.clone()
    rainy[0, :, 0, 1] += 0.2     # fully covered
    rainy[0, 0, 0, 2] += 0.05    # half covered
    pred = clean.clone()
    pred[0, :, 0, 0] -= 0.3      # darker, but no rain there
    pred[0, :, 0, 1] -= 0.1      # over-removed everywhere
    pred[0, 1, 0, 2] -= 0.01     # over-removed in one channel
    pred[0, :, 0, 3] += 0.1      # brighter: under-removed or no rain
    weight = over_removal_weight(pred, rainy, clean, factor=2.0, saturation=0.1)
    assert weight.shape == (1, 3, 1, 4)
    expected = torch.tensor([[1.0, 3.0, 1.0, 1.0], [1.0, 3.0, 2.0, 1.0], [1.0, 3.0, 1.0, 1.0]])
    assert torch.allclose(weight[0, :, 0], expected)


def test_over_removal_weight_is_uniform_without_factor_and_carries_no_gradient():
    clean = torch.rand(1, 3, 4, 4)
    pred = torch.zeros(1, 3, 4, 4, requires_grad=True)
    weight = over_removal_weight(pred, clean + 0.5, clean, factor=0.0, saturation=0.1)
    assert torch.equal(weight, torch.ones(1, 3, 4, 4)) and not weight.requires_grad


@pytest.mark.parametrize('kwargs, message', [
    (dict(pred=torch.zeros(1, 3, 4, 5)), 'one shape'),
    (dict(factor=-1.0), 'factor'),
    (dict(saturation=0.0), 'saturation'),
])
def test_over_removal_weight_rejects_bad_arguments(kwargs, message):
    arguments = dict(pred=torch.zeros(1, 3, 4, 4), rainy=torch.zeros(1, 3, 4, 4),
                     clean=torch.zeros(1, 3, 4, 4), factor=2.0, saturation=0.1)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        over_removal_weight(**arguments)
