"""Tests of cpra_mm.apis: init_derainer (configs, checkpoint formats, errors)
and derain (input types, tiling)."""
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

import cpra_mm.apis.derainer as derainer_module
from cpra_mm.apis import CheckpointMismatchError, derain, init_derainer
from cpra_mm.models import CPRAformer
from cpra_mm.models.tiled_inference import _tile_starts

CONFIG_TEXT = """
model = dict(
    type='DerainRestorer',
    generator=dict(type='CPRAformer', preset='tiny'),
    pixel_loss=dict(type='CharbonnierLoss', loss_weight=1.0))
"""


@pytest.fixture(scope='module')
def network() -> CPRAformer:
    torch.manual_seed(0)
    return CPRAformer(preset='tiny').eval()


@pytest.fixture(scope='module')
def files(network, tmp_path_factory) -> dict:
    """The network saved in every supported layout, and a config file."""
    root = tmp_path_factory.mktemp('derainer')
    state = network.state_dict()
    history = HistoryBuffer()
    history.update(0.5)
    layouts = {
        'mmengine': {
            'meta': {'preset': 'tiny', 'layout': 'reference', 'iter': 10},
            'state_dict': {f'generator.{k}': v for k, v in state.items()},
            'message_hub': {'log_scalars': {'train/loss': history}},
        },
        'bare': dict(state),
        'wrapped': {'state_dict': dict(state)},
        'bare_with_meta': dict(state, meta={'preset': 'tiny', 'layout': 'reference'}),
    }
    paths = {}
    for name, checkpoint in layouts.items():
        paths[name] = root / f'{name}.pth'
        torch.save(checkpoint, paths[name])
    paths['config'] = root / 'cpraformer_tiny.py'
    paths['config'].write_text(CONFIG_TEXT)
    return paths


def _probe(seed: int = 1, shape=(1, 3, 20, 28)) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def _smooth_rgb(height: int, width: int) -> np.ndarray:
    """A smooth H x W x 3 float32 image in [0.1, 0.9]."""
    yy, xx = np.mgrid[0:height, 0:width] / 64.0
    return np.stack([0.5 + 0.3 * np.sin(2 * xx + yy), 0.5 + 0.3 * np.cos(1.5 * yy),
                     0.4 + 0.2 * np.sin(xx * yy)], axis=-1).astype(np.float32)


@pytest.mark.parametrize('layout', ['mmengine', 'bare', 'wrapped'])
def test_config_and_checkpoint_reproduce_the_network(network, files, layout):
    model = init_derainer(str(files['config']), str(files[layout]), device='cpu')
    assert isinstance(model, CPRAformer) and model.preset == 'tiny'
    assert not model.training
    assert next(model.parameters()).device.type == 'cpu'
    probe = _probe()
    with torch.no_grad():
        assert torch.equal(model(probe), network(probe))


@pytest.mark.parametrize('layout', ['mmengine', 'bare_with_meta'])
def test_checkpoint_meta_builds_the_network_without_config(network, files, layout):
    model = init_derainer(checkpoint=files[layout])
    probe = _probe(2)
    with torch.no_grad():
        assert torch.equal(model(probe), network(probe))


def test_config_object_is_accepted(network, files):
    from mmengine.config import Config
    model = init_derainer(Config.fromfile(str(files['config'])), files['bare'])
    probe = _probe(3)
    with torch.no_grad():
        assert torch.equal(model(probe), network(probe))


def test_checkpoint_without_meta_needs_a_config(files):
    with pytest.raises(ValueError, match='meta preset') as error:
        init_derainer(checkpoint=files['bare'])
    assert str(files['bare']) in str(error.value)


def test_wrong_keys_are_listed(network, files, tmp_path):
    state = network.state_dict()
    dropped = 'output.weight'
    broken = {k: v for k, v in state.items() if k != dropped}
    broken['extra.weight'] = torch.zeros(1)
    path = tmp_path / 'broken.pth'
    torch.save({'state_dict': {f'generator.{k}': v for k, v in broken.items()}}, path)
    with pytest.raises(CheckpointMismatchError) as error:
        init_derainer(files['config'], path)
    message = str(error.value)
    assert str(path) in message
    assert f'missing keys (1): {dropped}' in message
    assert 'unexpected keys (1): extra.weight' in message


def test_other_preset_is_a_clear_mismatch(files, tmp_path):
    config = tmp_path / 'small.py'
    config.write_text(CONFIG_TEXT.replace("preset='tiny'", "preset='small'"))
    with pytest.raises(CheckpointMismatchError, match='missing keys .*preset or layout'):
        init_derainer(config, files['mmengine'])


def test_missing_files_are_named(files, tmp_path, monkeypatch):
    missing = tmp_path / 'nothing.pth'
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        init_derainer(files['config'], missing)
    with pytest.raises(FileNotFoundError, match='nope.py'):
        init_derainer(tmp_path / 'nope.py', files['bare'])
    monkeypatch.setattr(derainer_module, 'BUILTIN_CHECKPOINT', tmp_path / 'builtin.pth')
    with pytest.raises(FileNotFoundError, match='built-in model .*builtin.pth'):
        init_derainer()


def test_builtin_checkpoint_is_the_default(network, files, monkeypatch):
    monkeypatch.setattr(derainer_module, 'BUILTIN_CHECKPOINT', files['bare_with_meta'])
    model = init_derainer()
    probe = _probe(4)
    with torch.no_grad():
        assert torch.equal(model(probe), network(probe))


def test_loading_does_not_import_mmagic_models(files):
    script = ('import sys; from cpra_mm.apis import init_derainer; '
              f'init_derainer({str(files["config"])!r}, {str(files["mmengine"])!r}); '
              "assert 'mmagic.models' not in sys.modules, 'mmagic.models was imported'")
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr


def test_derain_keeps_type_dtype_and_shape(network):
    rgb = _smooth_rgb(20, 28)
    as_float = derain(network, rgb)
    assert isinstance(as_float, np.ndarray) and as_float.dtype == np.float32
    assert as_float.shape == rgb.shape and 0 <= as_float.min() and as_float.max() <= 1
    batch = torch.from_numpy(rgb.transpose(2, 0, 1))[None]
    with torch.no_grad():
        one_pass = network(batch).clamp(0, 1)
    np.testing.assert_allclose(as_float, one_pass[0].numpy().transpose(1, 2, 0), atol=1e-6)

    assert derain(network, rgb.astype(np.float64)).dtype == np.float64

    eight_bit = np.round(rgb * 255).astype(np.uint8)
    restored = derain(network, eight_bit)
    assert restored.dtype == np.uint8 and restored.shape == eight_bit.shape
    expected = np.round(derain(network, eight_bit / 255.0) * 255)
    assert np.abs(restored.astype(float) - expected).max() <= 1

    sixteen_bit = np.round(rgb * 65535).astype(np.uint16)
    assert derain(network, sixteen_bit).dtype == np.uint16

    batch = torch.from_numpy(np.stack([rgb, rgb[::-1].copy()]).transpose(0, 3, 1, 2))
    restored_batch = derain(network, batch)
    assert isinstance(restored_batch, torch.Tensor)
    assert restored_batch.shape == batch.shape and restored_batch.dtype == torch.float32
    np.testing.assert_allclose(restored_batch[0].numpy().transpose(1, 2, 0), as_float, atol=1e-5)


def test_derain_restores_training_mode_and_needs_no_grad(network):
    network.train()
    try:
        batch = torch.rand(1, 3, 16, 16, requires_grad=True)
        restored = derain(network, batch)
        assert network.training
        assert not restored.requires_grad
        assert restored.max() <= 1 and restored.min() >= 0
    finally:
        network.eval()


def test_derain_rejects_bad_inputs(network):
    with pytest.raises(ValueError, match='H x W x 3'):
        derain(network, np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        derain(network, np.full((8, 8, 3), 200.0, np.float32))
    with pytest.raises(TypeError, match='int32'):
        derain(network, np.zeros((8, 8, 3), np.int32))
    with pytest.raises(ValueError, match='B x 3 x H x W'):
        derain(network, torch.zeros(3, 8, 8))
    with pytest.raises(TypeError, match='list'):
        derain(network, [[0.0]])


def _column_jumps(image: np.ndarray) -> np.ndarray:
    """Largest |difference| between neighbouring columns, per column pair."""
    return np.abs(np.diff(image.astype(np.float64), axis=1)).max(axis=(0, 2))


def test_tiled_matches_whole_without_seams():
    # A random network's correction is unrealistically strong (up to 0.3),
    # and its global channel attention makes every tile see other statistics;
    # a weaker output projection gives a derainer-like correction (~0.1).
    torch.manual_seed(0)
    network = CPRAformer(preset='tiny').eval()
    with torch.no_grad():
        network.output.weight.mul_(0.3)
    rgb = _smooth_rgb(64, 96)
    tile, overlap = 32, 16
    one_pass = partial(derain, network, flip_ensemble=False)
    whole = one_pass(rgb, tile_size=None)
    tiled = one_pass(rgb, tile_size=tile, overlap=overlap)
    hard = one_pass(rgb, tile_size=tile, overlap=0)
    assert 0.05 < np.abs(whole - rgb).max() < 0.3
    assert np.abs(tiled - whole).max() < 0.05

    def seam_excess(result: np.ndarray, overlap_: int) -> float:
        """How much more the output jumps across tile edges than the whole
        image's output does at the same columns."""
        starts = _tile_starts(rgb.shape[1], tile, tile - overlap_)
        edges = sorted({x for x in starts if x > 0}
                       | {x + tile for x in starts if x + tile < rgb.shape[1]})
        columns = [edge - 1 for edge in edges]
        return float((_column_jumps(result)[columns] - _column_jumps(whole)[columns]).max())

    assert seam_excess(hard, 0) > 0.05  # the measure sees unblended seams
    assert seam_excess(tiled, overlap) < 0.01
