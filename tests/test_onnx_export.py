"""ONNX export (tools/deployment/export_onnx.py, cpra_mm.deployment):
onnxruntime parity with PyTorch (max abs difference <= 1e-4) for both
layouts at two input sizes that are not multiples of 8 (dynamic batch,
height and width), the DFT-matrix form of the spectral filter, argument
checks and the benchmark hook. Tiny random-weight networks."""
import contextlib
import io
import sys

import pytest
import torch

from cpra_mm.deployment.onnx_export import dft_as_matmul
from cpra_mm.deployment.onnx_runtime import OnnxRuntimeDerainer, onnxruntime_derainer
from cpra_mm.models import CPRAformer
from cpra_mm.models.layers import SpectralFilter
from cpra_mm.models.layers.real_dft import dft_frequencies, irfft2_real, rfft2_real
from tool_loading import load_tool

PARITY_TOLERANCE = 1e-4
DFT_TOLERANCE = 1e-5
TOOL = 'deployment/export_onnx'


def random_network(layout: str) -> CPRAformer:
    """A tiny network whose spectral filters (corrected layout) mix their
    channels (they start as the identity)."""
    torch.manual_seed(0)
    network = CPRAformer('tiny', layout=layout).eval()
    for spectral_filter in network.modules():
        if isinstance(spectral_filter, SpectralFilter):
            torch.nn.init.normal_(spectral_filter.mix_real, std=0.2)
            torch.nn.init.normal_(spectral_filter.mix_imag, std=0.2)
    return network


@pytest.fixture(scope='module')
def tool():
    yield load_tool(TOOL)
    del sys.modules[TOOL]


@pytest.fixture(scope='module', params=['reference', 'corrected'])
def exported(request, tool, tmp_path_factory):
    """``(network, onnx path, exit code, printed text)`` of a tiny network
    of the layout exported with the tool from a checkpoint with meta."""
    layout = request.param
    root = tmp_path_factory.mktemp(layout)
    network = random_network(layout)
    checkpoint = root / f'tiny-{layout}.pth'
    torch.save({'meta': {'preset': 'tiny', 'layout': layout},
                'state_dict': network.state_dict()}, checkpoint)
    out = root / f'tiny-{layout}.onnx'
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = tool.main(['--checkpoint', str(checkpoint), '--out', str(out), '--threads', '1'])
    return network, out, code, printed.getvalue()


def test_tool_exports_and_reports_parity(exported):
    _, out, code, printed = exported
    assert code == 0 and out.is_file()
    assert 'max abs difference' in printed and 'within the tolerance' in printed


@pytest.mark.parametrize('shape', [(1, 3, 37, 29), (2, 3, 24, 50)])
def test_onnxruntime_matches_pytorch(exported, shape):
    network, out, _, _ = exported
    images = torch.rand(*shape)
    with torch.no_grad():
        expected = network(images)
    restored = OnnxRuntimeDerainer(out, threads=1)(images)
    assert restored.shape == images.shape and restored.dtype == torch.float32
    assert (restored - expected).abs().max() <= PARITY_TOLERANCE


def test_runtime_refuses_images_below_8_pixels(exported):
    with pytest.raises(ValueError, match='H, W >= 8'):
        OnnxRuntimeDerainer(exported[1], threads=1)(torch.rand(1, 3, 7, 16))


@pytest.mark.parametrize('argv, message', [
    (['--sample-size', '4', '64'], '--sample-size'),
    (['--verify-shape', '1', '1', '32', '32'], '--verify-shape'),
    (['--out', 'model.pt'], '--out'),
    (['--checkpoint', 'missing.pth'], 'missing.pth'),
])
def test_bad_arguments_exit_2(tool, argv, message, capsys):
    assert tool.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize('size', [(8, 8), (17, 24), (30, 9)])
def test_real_dft_equals_torch_fft(size):
    h, w = size
    pixels = torch.randn(2, h, w, 5)
    spectrum = torch.fft.rfftn(pixels, dim=(1, 2), norm='ortho')
    real, imag = rfft2_real(pixels)
    assert (real - spectrum.real).abs().max() <= DFT_TOLERANCE
    assert (imag - spectrum.imag).abs().max() <= DFT_TOLERANCE
    weighted = spectrum * torch.randn(h, w // 2 + 1, 5)
    expected = torch.fft.irfftn(weighted, s=(h, w), dim=(1, 2), norm='ortho')
    assert (irfft2_real(weighted.real, weighted.imag, w) - expected).abs().max() <= DFT_TOLERANCE
    fy, fx = dft_frequencies(h, w, pixels.device)
    assert torch.allclose(fy, torch.fft.fftfreq(h)) and torch.allclose(fx, torch.fft.rfftfreq(w))


def test_dft_as_matmul_matches_the_fft_and_is_restored():
    network = random_network('corrected')
    images = torch.rand(2, 3, 24, 40)
    with torch.no_grad():
        expected = network(images)
        with dft_as_matmul(network):
            assert all(m.dft_as_matmul for m in network.modules()
                       if isinstance(m, SpectralFilter))
            restored = network(images)
    assert (restored - expected).abs().max() <= DFT_TOLERANCE
    assert not any(m.dft_as_matmul for m in network.modules() if isinstance(m, SpectralFilter))


def test_benchmark_hook_runs_like_the_network():
    network = random_network('reference')
    run = onnxruntime_derainer(network, threads=1, sample_size=(16, 16))
    images = torch.rand(1, 3, 40, 24)
    with torch.no_grad():
        expected = network(images)
    assert (run(images) - expected).abs().max() <= PARITY_TOLERANCE
    assert network.training is False
