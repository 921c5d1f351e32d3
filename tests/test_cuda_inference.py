"""Deraining on a CUDA device gives what it gives on the CPU: the built-in
weights, streak alignment, tiling and the autocast fast modes. Skipped
where torch sees no CUDA device (CI); run on a GPU machine with
``pytest tests/test_cuda_inference.py``."""
import numpy as np
import pytest
import torch

from cpra_mm.apis import derain, init_derainer
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')

CUDA_CPU_MAX_DIFFERENCE = 2e-3
"""Largest |CUDA - CPU| of a derained float image in [0, 1], with TF32 off
(see :func:`full_float32`): other kernels sum in another order, so outputs
agree closely, not bit for bit. With cuDNN's default TF32 convolutions
(Ampere and later) single pixels differ by up to about 0.03 (an H200)."""


def _scene(height: int, width: int) -> np.ndarray:
    """``height x width x 3`` uint8 RGB: colour ramps, a dark window and a
    bright disc, so that rain shows over dark and light areas."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([x / width, y / height, 0.5 + 0.4 * np.sin(x / 9.0)], axis=2)
    image[height // 4:height // 2, width // 5:width // 2] *= 0.2
    image[(y - 0.7 * height) ** 2 + (x - 0.7 * width) ** 2 < (height / 6) ** 2] = 0.95
    return np.round(image * 255).astype(np.uint8)


def _rainy(angle: tuple, height: int = 160, width: int = 224) -> np.ndarray:
    rain = RainParams(density=(30, 40), length=(20, 30), angle=angle, width=(1, 2),
                      intensity=(0.5, 0.7), layers=2)
    return RainStreakRenderer(rain)(_scene(height, width), generator_for(0, 'cuda-check'))


@pytest.fixture(autouse=True)
def full_float32():
    """Float32 convolutions and matrix products on CUDA, not TF32."""
    convolutions, products = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = convolutions, products


@pytest.fixture(scope='module')
def on_cpu():
    return init_derainer()


@pytest.fixture(scope='module')
def on_cuda():
    return init_derainer(device='cuda')


def _as_tensor(image: np.ndarray, device: str) -> torch.Tensor:
    return torch.from_numpy(image).permute(2, 0, 1)[None].float().div(255).to(device)


@pytest.mark.parametrize('angle, tile_size', [((-10, 10), None), ((38, 42), None),
                                              ((38, 42), 96)],
                         ids=['upright', 'slanted-aligned', 'slanted-tiled'])
def test_cuda_output_matches_the_cpu(on_cpu, on_cuda, angle, tile_size):
    rainy = _rainy(angle)
    expected = derain(on_cpu, _as_tensor(rainy, 'cpu'), tile_size=tile_size, overlap=16)
    got = derain(on_cuda, _as_tensor(rainy, 'cuda'), tile_size=tile_size, overlap=16)
    assert got.device.type == 'cuda' and got.dtype == torch.float32
    assert got.shape == expected.shape
    assert (got.cpu() - expected).abs().max().item() < CUDA_CPU_MAX_DIFFERENCE


def test_numpy_input_comes_back_as_uint8_from_cuda(on_cpu, on_cuda):
    rainy = _rainy((-10, 10))
    got = derain(on_cuda, rainy)
    assert isinstance(got, np.ndarray) and got.dtype == np.uint8 and got.shape == rainy.shape
    assert np.abs(got.astype(int) - derain(on_cpu, rainy).astype(int)).max() <= 6


@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
def test_autocast_fast_modes_stay_close_to_fp32(on_cuda, precision):
    rainy = _as_tensor(_rainy((-10, 10)), 'cuda')
    fast = init_derainer(device='cuda', precision=precision)
    reference = derain(on_cuda, rainy)
    got = derain(fast, rainy)
    assert got.dtype == torch.float32
    difference = (got - reference).abs()
    assert difference.mean().item() < 5e-3 and difference.max().item() < 0.15
