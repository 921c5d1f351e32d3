"""Tests of cpra_mm.utils.derainer_checkpoint, the one checkpoint reader of
init_derainer and the det/seg derain stage: every layout, strict loading and
its error messages, unreadable files, URLs. Their callers' tests (in
test_derain_api.py and test_downstream_preprocessors.py) check that they
use it."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

from cpra_mm.models import CPRAformer
from cpra_mm.utils.derainer_checkpoint import (MAX_KEYS_SHOWN, CheckpointMismatchError,
                                               checkpoint_meta, generator_state_dict,
                                               load_derainer_weights, read_checkpoint,
                                               unwrap_state_dict)

META = {'preset': 'tiny', 'layout': 'corrected'}


@pytest.fixture(scope='module')
def weights() -> dict:
    torch.manual_seed(1)
    return CPRAformer(preset='tiny', layout='corrected').state_dict()


def fresh_network() -> CPRAformer:
    torch.manual_seed(2)
    return CPRAformer(preset='tiny', layout='corrected')


def layouts(weights: dict) -> dict:
    """The network's weights in every layout the module reads."""
    history = HistoryBuffer()
    history.update(0.5)
    generator = {f'generator.{k}': v for k, v in weights.items()}
    return {
        'mmengine': {'meta': dict(META, iter=10), 'state_dict': generator,
                     'message_hub': {'log_scalars': {'train/loss': history}}},
        'mmagic_with_other_modules': {'meta': {'epoch': 1}, 'state_dict': {
            **generator, 'data_preprocessor.mean': torch.zeros(3)}},
        'wrapped': {'state_dict': dict(weights)},
        'wrapped_with_meta': {'state_dict': dict(weights), 'meta': META},
        'params': {'params': dict(weights)},
        'model': {'model': dict(weights)},
        'bare': dict(weights),
        'bare_with_meta': dict(weights, meta=META),
        'data_parallel': {'state_dict': {f'module.{k}': v for k, v in generator.items()}},
    }


@pytest.mark.parametrize('layout', ['mmengine', 'mmagic_with_other_modules', 'wrapped',
                                    'wrapped_with_meta', 'params', 'model', 'bare',
                                    'bare_with_meta', 'data_parallel'])
def test_every_layout_loads_the_exact_weights(weights, tmp_path: Path, layout: str):
    path = tmp_path / f'{layout}.pth'
    torch.save(layouts(weights)[layout], path)
    network = fresh_network()
    load_derainer_weights(network, str(path))
    loaded = network.state_dict()
    assert loaded.keys() == weights.keys()
    assert all(torch.equal(loaded[k], weights[k]) for k in weights)
    # a Path works as well as a str
    assert generator_state_dict(read_checkpoint(path), path).keys() == weights.keys()


def test_meta_is_read_where_it_is(weights, tmp_path: Path):
    for layout, expected in (('mmengine', dict(META, iter=10)), ('bare_with_meta', META),
                             ('bare', None)):
        path = tmp_path / f'{layout}.pth'
        torch.save(layouts(weights)[layout], path)
        assert checkpoint_meta(read_checkpoint(path)) == expected


def test_wrong_keys_and_shapes_are_listed_with_the_file(weights, tmp_path: Path):
    broken = {k: v for k, v in weights.items() if k != 'output.weight'}
    broken['extra.weight'] = torch.zeros(1)
    broken['patch_embed.weight'] = torch.zeros(1, 2, 3, 3)
    path = tmp_path / 'broken.pth'
    torch.save({'state_dict': {f'generator.{k}': v for k, v in broken.items()}}, path)
    network = fresh_network()
    before = {k: v.clone() for k, v in network.state_dict().items()}
    with pytest.raises(CheckpointMismatchError) as error:
        load_derainer_weights(network, str(path))
    message = str(error.value)
    assert str(path) in message and 'CPRAformer' in message
    assert 'missing keys (1): output.weight' in message
    assert 'unexpected keys (1): extra.weight' in message
    expected_shape = tuple(weights['patch_embed.weight'].shape)
    assert (f'shape mismatches (1): patch_embed.weight (checkpoint (1, 2, 3, 3), network '
            f'{expected_shape})') in message
    assert 'preset or layout' in message
    assert isinstance(error.value, ValueError)
    # nothing was loaded
    assert all(torch.equal(network.state_dict()[k], before[k]) for k in before)


def test_long_key_lists_are_elided(weights, tmp_path: Path):
    path = tmp_path / 'empty_of_weights.pth'
    torch.save({'state_dict': {'other.weight': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointMismatchError) as error:
        load_derainer_weights(fresh_network(), path)
    more = len(weights) - MAX_KEYS_SHOWN
    assert f'missing keys ({len(weights)}): ' in str(error.value)
    assert f' ... and {more} more' in str(error.value)


def test_other_preset_is_a_mismatch(tmp_path: Path):
    path = tmp_path / 'small.pth'
    torch.save(CPRAformer(preset='small', layout='corrected').state_dict(), path)
    with pytest.raises(CheckpointMismatchError,
                       match='unexpected keys .*shape mismatches .*preset or layout'):
        load_derainer_weights(fresh_network(), path)


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        load_derainer_weights(fresh_network(), str(tmp_path / 'nowhere.pth'))


@pytest.mark.parametrize('content, message', [
    (b'not a checkpoint', 'cannot read checkpoint'),
    (None, 'holds a list, not a mapping'),
])
def test_unreadable_checkpoints_are_value_errors(tmp_path: Path, content, message):
    path = tmp_path / 'odd.pth'
    if content is None:
        torch.save([torch.zeros(1)], path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as error:
        read_checkpoint(path)
    assert str(path) in str(error.value)


def test_checkpoints_cannot_run_code(tmp_path: Path):
    path = tmp_path / 'code.pth'
    torch.save({'state_dict': {}, 'payload': Path('x')}, path)
    with pytest.raises(ValueError, match='cannot read checkpoint'):
        read_checkpoint(path)


def test_unwrap_takes_the_first_wrapper_that_holds_a_mapping():
    weight = torch.zeros(1)
    assert unwrap_state_dict({'state_dict': 'a note', 'params': {'module.conv.weight': weight},
                              'model': {'other.weight': weight}}) == {'conv.weight': weight}
    assert unwrap_state_dict({'module.a': weight, 'meta': {}}) == {'a': weight, 'meta': {}}
    with pytest.raises(ValueError, match='list'):
        unwrap_state_dict([weight])


def test_non_tensor_entries_are_rejected(weights):
    with pytest.raises(ValueError, match=r'source\.pth .*non-tensor.*: note'):
        generator_state_dict({'state_dict': dict(weights, note='hello')}, 'source.pth')


def test_urls_go_through_mmengine(weights, monkeypatch):
    requested = []

    def fake_load(filename, map_location=None, logger='current'):
        requested.append((filename, map_location))
        return {'state_dict': {f'generator.{k}': v for k, v in weights.items()}}

    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', fake_load)
    network = fresh_network()
    load_derainer_weights(network, 'https://example.com/derainer.pth')
    assert requested == [('https://example.com/derainer.pth', 'cpu')]
    assert all(torch.equal(network.state_dict()[k], weights[k]) for k in weights)


def test_module_imports_no_model_zoo():
    code = ('import sys, cpra_mm.utils.derainer_checkpoint; '
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('mmdet', 'mmseg', 'mmagic') and '.models' in m))")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == '[]'
