"""The opt-in fast modes (bf16 / fp16 autocast, ``torch.compile``) of
``FastForward``, ``init_derainer`` and the derain stage: outputs float32, in
[0, 1] and within the tolerances of docs/fast_inference.md; logged fall-backs
where a dtype is missing or compilation fails. Tiny networks, small inputs,
no timing."""
from typing import List, Tuple

import pytest
import torch
import torch.nn.functional as F

from cpra_mm.apis import FastDerainer, init_derainer
from cpra_mm.downstream import DerainStage
from cpra_mm.downstream.chain_config import add_derain_stage
from cpra_mm.models import CPRAformer, tiled_forward
from cpra_mm.utils import autocast_precision, fast_forward
from cpra_mm.utils.autocast_precision import autocast_dtype
from cpra_mm.utils.fast_forward import FastForward

TINY_DERAINER = dict(type='CPRAformer', preset='tiny', layout='corrected')
AUTOCAST_TOLERANCE = {'bf16': 0.02, 'fp16': 0.01}
"""Max abs difference to fp32 of a tiny random-weight network on smooth
random images (measured: at most 0.0045 for bf16, 0.002 for fp16, over four
seeds and both layouts); docs/fast_inference.md has the built-in model's on
a photograph."""
COMPILE_TOLERANCE = 1e-4


@pytest.fixture
def logged(monkeypatch) -> List[Tuple[str, int]]:
    """The ``(message, level)`` of every ``print_log`` of the fast-mode
    modules; the precision cache is cleared before and after."""
    messages: List[Tuple[str, int]] = []

    def record(message, logger=None, level=None):
        messages.append((message, level))

    monkeypatch.setattr(autocast_precision, 'print_log', record)
    monkeypatch.setattr(fast_forward, 'print_log', record)
    autocast_precision._resolve.cache_clear()
    yield messages
    autocast_precision._resolve.cache_clear()


def _network(layout: str = 'corrected') -> CPRAformer:
    torch.manual_seed(0)
    return CPRAformer('tiny', layout=layout).eval()


def _images(batch: int, height: int, width: int) -> torch.Tensor:
    """``batch x 3 x height x width`` smooth random images in [0, 1]
    (bilinearly enlarged noise: photograph-like, not pixel noise)."""
    coarse = torch.rand(batch, 3, height // 8 + 2, width // 8 + 2)
    return F.interpolate(coarse, size=(height, width), mode='bilinear', align_corners=False)


@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
@pytest.mark.parametrize('layout', ['reference', 'corrected'])
def test_autocast_output_is_float32_in_range_and_close(precision, layout):
    network = _network(layout)
    images = _images(2, 24, 40)
    with torch.no_grad():
        expected = network(images)
        restored = FastForward(network, precision)(images)
    assert restored.dtype == torch.float32 and restored.shape == images.shape
    assert 0 <= restored.min() and restored.max() <= 1
    assert (restored - expected).abs().max() <= AUTOCAST_TOLERANCE[precision]


def test_missing_dtype_falls_back_to_fp32_with_one_warning(monkeypatch, logged):
    monkeypatch.setattr(autocast_precision, '_native_support', lambda device, dtype: False)
    network = _network()
    images = torch.rand(1, 3, 16, 16)
    run = FastForward(network, 'fp16')
    with torch.no_grad():
        first, second = run(images), run(images)
        expected = network(images)
    assert torch.equal(first, expected) and torch.equal(second, expected)
    assert len(logged) == 1
    message, level = logged[0]
    assert 'fp16' in message and 'cpu' in message and 'fp32' in message
    assert level == 30  # logging.WARNING


def test_dtype_that_autocast_refuses_falls_back(monkeypatch, logged):
    monkeypatch.setattr(autocast_precision, '_trial_op_runs', lambda device, dtype: False)
    assert autocast_dtype('bf16', torch.device('cpu')) is None
    assert 'bf16' in logged[0][0] and 'device cpu' in logged[0][0]


def test_supported_dtype_is_used_without_warning(logged):
    dtype = autocast_dtype('bf16', torch.device('cpu'))
    if dtype is None:
        pytest.skip('this CPU has no native bf16')
    assert dtype == torch.bfloat16 and not logged


def test_unknown_precision_is_named():
    with pytest.raises(ValueError, match='precision'):
        FastForward(_network(), 'int8')
    with pytest.raises(ValueError, match='precision'):
        init_derainer(precision='half')


def test_compile_failure_falls_back_to_eager_with_a_warning(monkeypatch, logged):
    def broken_compile(model, **options):
        def run(images):
            raise RuntimeError('no C compiler found\nmore detail')
        return run

    monkeypatch.setattr(fast_forward.torch, 'compile', broken_compile)
    network = _network()
    images = torch.rand(1, 3, 16, 24)
    run = FastForward(network, compile=True)
    with torch.no_grad():
        restored = run(images)
        expected = network(images)
    assert torch.equal(restored, expected)
    assert not run.compile
    assert len(logged) == 1 and 'torch.compile failed' in logged[0][0]
    assert 'RuntimeError: no C compiler found' in logged[0][0]


def test_input_errors_are_raised_not_taken_for_compile_failures(monkeypatch, logged):
    monkeypatch.setattr(fast_forward.torch, 'compile', lambda model, **options: model)
    run = FastForward(_network(), compile=True)
    with pytest.raises(ValueError, match='B x 3 x H x W'):
        run(torch.rand(1, 4, 16, 16))
    assert run.compile and not logged


def test_compiled_network_matches_eager():
    """The compiled path on a two-layer network (compiling CPRAformer takes
    minutes with an empty inductor cache; its compile-vs-eager difference
    is measured by tools/analysis/fast_mode_fidelity.py)."""
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.GELU(),
                                  torch.nn.Conv2d(8, 3, 3, padding=1), torch.nn.Sigmoid())
    images = torch.rand(1, 3, 16, 16)
    run = FastForward(network, compile=True)
    with torch.no_grad():
        expected = network(images)
        restored = run(images)
    assert run.compile, 'compilation fell back to eager'
    assert restored.dtype == torch.float32
    assert (restored - expected).abs().max() <= COMPILE_TOLERANCE


def test_frozen_weights_compile_with_freezing_and_follow_updates():
    """A network without trainable parameters compiles with inductor's
    freezing; a weight changed in place after compiling is used next call."""
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 3, padding=1),
                                  torch.nn.Sigmoid()).requires_grad_(False)
    images = torch.rand(1, 3, 16, 16)
    run = FastForward(network, compile=True)
    with torch.no_grad():
        first = run(images)
        assert (first - network(images)).abs().max() <= COMPILE_TOLERANCE
        network[0].weight.mul_(-1)
        second = run(images)
        expected = network(images)
    assert run.compile, 'compilation fell back to eager'
    assert (second - expected).abs().max() <= COMPILE_TOLERANCE
    assert (second - first).abs().max() > 0.01


def test_init_derainer_wraps_only_for_fast_modes(tmp_path):
    network = _network()
    checkpoint = tmp_path / 'tiny.pth'
    torch.save({'meta': {'preset': 'tiny', 'layout': 'corrected'},
                'state_dict': network.state_dict()}, checkpoint)
    assert isinstance(init_derainer(checkpoint=checkpoint), CPRAformer)
    fast = init_derainer(checkpoint=checkpoint, precision='bf16')
    assert isinstance(fast, FastDerainer) and isinstance(fast.network, CPRAformer)
    assert not fast.training
    images = _images(1, 16, 24)
    with torch.no_grad():
        restored, expected = fast(images), network(images)
    assert restored.dtype == torch.float32
    assert (restored - expected).abs().max() <= AUTOCAST_TOLERANCE['bf16']


def test_derain_stage_fast_modes_keep_the_state_dict():
    plain = DerainStage(_network(), tile_size=16, tile_overlap=4, flip_ensemble=False)
    fast = DerainStage(_network(), tile_size=16, tile_overlap=4, precision='bf16',
                       flip_ensemble=False)
    assert list(fast.state_dict()) == list(plain.state_dict())
    fast.load_state_dict(plain.state_dict())
    images = (_images(2, 24, 40) * 255).round().to(torch.uint8)
    with torch.no_grad():
        restored = fast(images)
        expected = plain.from_unit_rgb(tiled_forward(
            FastForward(plain.derainer, 'bf16'), plain.to_unit_rgb(images), 16, 4))
    assert restored.dtype == torch.float32
    assert 0 <= restored.min() and restored.max() <= 255
    assert torch.equal(restored, expected)
    assert "precision='bf16'" in repr(fast)


def test_gradient_recording_calls_run_in_fp32():
    stage = DerainStage(TINY_DERAINER, trainable=True, precision='bf16')
    images = torch.randint(0, 256, (1, 3, 16, 16), dtype=torch.uint8)
    restored = stage(images)
    assert restored.requires_grad
    assert torch.equal(restored, stage.from_unit_rgb(stage.derainer(stage.to_unit_rgb(images))))


def test_preprocessor_config_keys():
    config = add_derain_stage(dict(type='mmdet.DetDataPreprocessor'), derainer=TINY_DERAINER,
                              derain_precision='bf16', derain_compile=False)
    assert config['derain_precision'] == 'bf16' and config['derain_compile'] is False
    from cpra_mm.det import DerainDetDataPreprocessor
    preprocessor = DerainDetDataPreprocessor(derainer=TINY_DERAINER, derain_precision='fp16',
                                             derain_compile=True)
    assert preprocessor.derain_stage.fast_forward.precision == 'fp16'
    assert preprocessor.derain_stage.fast_forward.compile
    with pytest.raises(ValueError, match='derain_precision'):
        DerainDetDataPreprocessor(derainer=TINY_DERAINER, derain_precision='fp8')
