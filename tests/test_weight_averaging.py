"""Averaging trained derainers (cpra_mm/utils/weight_averaging.py,
tools/average_weights.py)."""
import pytest
import torch
from tool_loading import load_tool

from cpra_mm.apis import init_derainer
from cpra_mm.models import CPRAformer
from cpra_mm.utils.weight_averaging import average_state_dicts, averaging_coefficients

SIZE = dict(dim=16, heads=(1, 1, 2, 2), ffn_expansion=1.0, num_blocks=(1, 1, 1, 1),
            num_refinement_blocks=1)


def randomised(model: CPRAformer, seed: int) -> CPRAformer:
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
    return model.eval()


def test_coefficients_default_to_the_plain_mean_and_are_checked():
    assert averaging_coefficients(4) == [0.25] * 4
    assert averaging_coefficients(2, [0.75, 0.25]) == [0.75, 0.25]
    for count, coefficients, message in [
            (1, None, 'at least two'), (2, [1.0], '1 coefficients given for 2'),
            (2, [1.5, -0.5], 'non-negative'), (2, [0.5, float('nan')], 'finite'),
            (2, [0.5, 0.6], 'sum to 1')]:
        with pytest.raises(ValueError, match=message):
            averaging_coefficients(count, coefficients)


def test_average_is_the_weighted_mean_of_floats_and_copies_equal_integers():
    a = {'w': torch.tensor([0.0, 4.0]), 'half': torch.tensor([2.0], dtype=torch.float16),
         'count': torch.tensor([3])}
    b = {'w': torch.tensor([8.0, 0.0]), 'half': torch.tensor([6.0], dtype=torch.float16),
         'count': torch.tensor([3])}
    averaged = average_state_dicts([a, b], [0.75, 0.25])
    torch.testing.assert_close(averaged['w'], torch.tensor([2.0, 3.0]))
    assert averaged['half'].dtype == torch.float16 and averaged['half'].item() == 3.0
    assert averaged['count'].item() == 3
    assert averaged['w'] is not a['w']


def test_average_names_what_does_not_match():
    a = {'w': torch.zeros(2), 'n': torch.tensor([1])}
    with pytest.raises(ValueError, match=r"b.pth and a.pth are not the same network.*'extra'"):
        average_state_dicts([a, dict(a, extra=torch.zeros(1))], sources=['a.pth', 'b.pth'])
    with pytest.raises(ValueError, match=r'w: b.pth holds torch.float32 \(3,\)'):
        average_state_dicts([a, dict(a, w=torch.zeros(3))], sources=['a.pth', 'b.pth'])
    with pytest.raises(ValueError, match='n: the non-floating tensor differs'):
        average_state_dicts([a, dict(a, n=torch.tensor([2]))], sources=['a.pth', 'b.pth'])


@pytest.fixture
def average_tool():
    return load_tool('average_weights')


def _exported(tmp_path, name: str, model: CPRAformer, **meta) -> str:
    path = tmp_path / name
    torch.save({'state_dict': {f'generator.{k}': v for k, v in model.state_dict().items()},
                'meta': dict(preset=None, layout='corrected', **SIZE, **meta)}, path)
    return str(path)


def test_tool_writes_the_averaged_network_with_its_provenance(tmp_path, average_tool, capsys):
    first = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=0)
    second = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=1)
    paths = [_exported(tmp_path, 'a.pth', first, seed=0),
             _exported(tmp_path, 'b.pth', second, seed=1)]
    out = tmp_path / 'soup' / 'ab.pth'
    assert average_tool.main([*paths, '--coefficients', '0.25', '0.75',
                              '--out', str(out)]) == 0
    assert 'a.pth x 0.25, b.pth x 0.75 ->' in capsys.readouterr().out
    saved = torch.load(out, map_location='cpu', weights_only=True)
    assert saved['meta']['averaged_from'] == [dict(file=paths[0], coefficient=0.25),
                                              dict(file=paths[1], coefficient=0.75)]
    assert 'seed' not in saved['meta']
    derainer = init_derainer(checkpoint=out)
    expected = {k: 0.25 * v + 0.75 * second.state_dict()[k]
                for k, v in first.state_dict().items()}
    for key, value in derainer.state_dict().items():
        torch.testing.assert_close(value, expected[key], rtol=0, atol=1e-7)


def test_tool_refuses_other_networks_and_its_own_inputs(tmp_path, average_tool, capsys):
    small = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=0)
    a = _exported(tmp_path, 'a.pth', small)
    assert average_tool.main([a, a, '--out', a]) == 2
    assert 'is one of the inputs' in capsys.readouterr().err
    assert average_tool.main([a, a, '--coefficients', '0.5', '--out',
                              str(tmp_path / 'o.pth')]) == 2
    assert '1 coefficients given for 2' in capsys.readouterr().err
    reference = randomised(CPRAformer(None, layout='reference', **SIZE), seed=0)
    b = str(tmp_path / 'b.pth')
    torch.save({'state_dict': reference.state_dict(),
                'meta': dict(preset=None, layout='reference', **SIZE)}, b)
    assert average_tool.main([a, b, '--out', str(tmp_path / 'o.pth')]) == 1
    assert 'only copies of one network can be averaged' in capsys.readouterr().err
    torch.save({'state_dict': small.state_dict()}, tmp_path / 'bare.pth')
    assert average_tool.main([a, str(tmp_path / 'bare.pth'), '--out',
                              str(tmp_path / 'o.pth')]) == 1
    assert ('bare.pth has no meta preset to build the network from; pass the config'
            in capsys.readouterr().err)
    assert average_tool.main([a, str(tmp_path / 'absent.pth'), '--out',
                              str(tmp_path / 'o.pth')]) == 1
    assert 'absent.pth' in capsys.readouterr().err
    assert not (tmp_path / 'o.pth').exists()


def _config(tmp_path, name: str, layout: str) -> str:
    path = tmp_path / name
    path.write_text(f"model = dict(type='DerainRestorer', generator=dict(type='CPRAformer', "
                    f"preset=None, layout={layout!r}, **{SIZE!r}))\n")
    return str(path)


def test_tool_takes_the_network_of_training_checkpoints_from_the_config(tmp_path, average_tool):
    first = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=0)
    second = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=1)
    trained = str(tmp_path / 'iter_600.pth')
    torch.save({'state_dict': {**{f'generator.{k}': v for k, v in second.state_dict().items()},
                               'pixel_loss.weight': torch.ones(1)},
                'meta': dict(iter=600)}, trained)
    paths = [_exported(tmp_path, 'a.pth', first), trained]
    out = tmp_path / 'ab.pth'
    assert average_tool.main([*paths, '--config', _config(tmp_path, 'c.py', 'corrected'),
                              '--out', str(out)]) == 0
    saved = torch.load(out, map_location='cpu', weights_only=True)
    assert saved['meta']['layout'] == 'corrected' and 'iter' not in saved['meta']
    assert not any(key.startswith('pixel_loss') for key in saved['state_dict'])
    derainer = init_derainer(checkpoint=out)
    for key, value in derainer.state_dict().items():
        torch.testing.assert_close(
            value, (first.state_dict()[key] + second.state_dict()[key]) / 2, rtol=0, atol=1e-7)


def test_tool_refuses_a_config_of_another_network(tmp_path, average_tool, capsys):
    model = randomised(CPRAformer(None, layout='corrected', **SIZE), seed=0)
    paths = [_exported(tmp_path, 'a.pth', model), _exported(tmp_path, 'b.pth', model)]
    config = _config(tmp_path, 'reference.py', 'reference')
    assert average_tool.main([*paths, '--config', config,
                              '--out', str(tmp_path / 'o.pth')]) == 1
    error = capsys.readouterr().err
    assert 'a.pth holds' in error and 'reference.py holds' in error
    assert 'only copies of one network can be averaged' in error
    assert not (tmp_path / 'o.pth').exists()
