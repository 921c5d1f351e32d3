"""Growing a trained CPRAformer deeper (cpra_mm/models/depth_growth.py,
tools/grow_weights.py)."""
import pytest
import torch
from tool_loading import load_tool

from cpra_mm.apis import init_derainer
from cpra_mm.models import PRESETS, CPRAformer
from cpra_mm.models.depth_growth import SILENCED, blocks_per_level, grown_state_dict

SIZE = dict(dim=16, heads=(1, 1, 2, 2), ffn_expansion=1.0)


def randomised(model: CPRAformer, seed: int) -> CPRAformer:
    """``model`` with every parameter random (the zero-initialised ones
    too), as a trained network's are."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
    return model.eval()


def network(num_blocks, num_refinement_blocks, layout='corrected', seed=None):
    model = CPRAformer(None, layout=layout, num_blocks=num_blocks,
                       num_refinement_blocks=num_refinement_blocks, **SIZE).eval()
    return randomised(model, seed) if seed is not None else model


@pytest.mark.parametrize('layout', ['corrected', 'reference'])
@pytest.mark.parametrize('grown_size', [((1, 2, 2, 3), 1), ((2, 1, 1, 1), 2)])
def test_grown_network_computes_what_the_trained_one_does(layout, grown_size):
    trained = network((1, 1, 1, 1), 1, layout, seed=0)
    target = network(*grown_size, layout=layout)
    state = grown_state_dict(trained.state_dict(), target)
    target.load_state_dict(state, strict=True)
    image = torch.rand(2, 3, 40, 48, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        before, after = trained(image), target(image)
    torch.testing.assert_close(after, before, rtol=0, atol=1e-6)
    # The grown network is deeper and its new blocks are not all zero.
    assert blocks_per_level(state)['latent'] == grown_size[0][3]
    new_block = 'latent.1.' if grown_size[0][3] > 1 else 'encoder_level1.1.'
    inner = [k for k in state if k.startswith(new_block) and k[len(new_block):] not in SILENCED]
    assert inner and any(state[k].abs().sum() > 0 for k in inner)
    silenced = [k for k in state if k.startswith(new_block) and k[len(new_block):] in SILENCED]
    assert silenced and all(state[k].abs().sum() == 0 for k in silenced)
    # The trained weights are copies: the source is not aliased.
    key = 'encoder_level1.0.ffn.project_out.weight'
    assert torch.equal(state[key], trained.state_dict()[key])
    assert state[key].data_ptr() != trained.state_dict()[key].data_ptr()


def test_new_blocks_receive_gradients():
    trained = network((1, 1, 1, 1), 1, seed=0)
    target = network((1, 1, 1, 2), 1)
    target.load_state_dict(grown_state_dict(trained.state_dict(), target))
    target.train()
    target(torch.rand(1, 3, 32, 32)).mean().backward()
    grads = {name: p.grad for name, p in target.named_parameters()}
    for key in ('latent.1.attn.align.project_out.weight', 'latent.1.ffn.project_out.weight'):
        assert grads[key] is not None and grads[key].abs().sum() > 0, key


def test_growing_refuses_what_it_cannot_grow():
    trained = network((1, 2, 1, 1), 1, seed=0)
    with pytest.raises(ValueError, match=r'the small one.*encoder_level2 \(2 -> 1\)'):
        grown_state_dict(trained.state_dict(), network((1, 1, 1, 1), 1), 'the small one')
    wider = CPRAformer(None, layout='corrected', dim=24, num_blocks=(1, 2, 1, 1),
                       num_refinement_blocks=1, heads=(1, 1, 2, 2), ffn_expansion=1.0)
    with pytest.raises(ValueError, match='another width or layout'):
        grown_state_dict(trained.state_dict(), wider)
    extra = dict(trained.state_dict(), stray=torch.zeros(1))
    with pytest.raises(ValueError, match='keys the target network lacks: stray'):
        grown_state_dict(extra, network((1, 2, 1, 1), 1))
    partial = {k: v for k, v in trained.state_dict().items() if not k.startswith('patch_embed')}
    with pytest.raises(ValueError, match='lacks weights outside the appended blocks: '
                       'patch_embed.weight'):
        grown_state_dict(partial, network((1, 2, 1, 1), 1))


def test_grown_presets_differ_from_small_only_in_depth():
    for name in ('small_deep', 'small_fine'):
        size = dict(PRESETS[name])
        small = dict(PRESETS['small'])
        assert {k: v for k, v in size.items() if k not in ('num_blocks', 'num_refinement_blocks')} \
            == {k: v for k, v in small.items() if k not in ('num_blocks', 'num_refinement_blocks')}
        assert all(a >= b for a, b in zip(size['num_blocks'], small['num_blocks']))
        assert size['num_refinement_blocks'] >= small['num_refinement_blocks']


@pytest.fixture
def grow_tool():
    return load_tool('grow_weights')


def test_grow_weights_tool_writes_an_init_derainer_checkpoint(tmp_path, grow_tool, capsys):
    trained = randomised(CPRAformer('small', layout='corrected'), seed=3)
    source = tmp_path / 'trained.pth'
    torch.save({'state_dict': {f'generator.{k}': v for k, v in trained.state_dict().items()},
                'meta': dict(preset='small', layout='corrected')}, source)
    config = tmp_path / 'grown.py'
    config.write_text("model = dict(type='DerainRestorer', generator=dict(type='CPRAformer', "
                      "preset='small_deep', layout='corrected'))\n")
    out = tmp_path / 'grown' / 'init.pth'
    assert grow_tool.main([str(source), str(out), '--config', str(config)]) == 0
    assert 'encoder_level3 2 -> 3, latent 2 -> 4, decoder_level3 2 -> 3' in capsys.readouterr().out
    saved = torch.load(out, map_location='cpu', weights_only=True)
    assert saved['meta'] == dict(preset='small_deep', layout='corrected', grown_from='trained.pth')
    assert all(k.startswith('generator.') for k in saved['state_dict'])
    _assert_rebuilds_the_trained_function(out, trained, (1, 2, 3, 4), seed=5)


def _assert_rebuilds_the_trained_function(grown_file, trained: CPRAformer,
                                          num_blocks: tuple, seed: int) -> None:
    """``init_derainer`` builds the grown file from its meta alone, with
    ``num_blocks``, and it computes what ``trained`` does."""
    grown = init_derainer(checkpoint=grown_file)
    assert grown.config['num_blocks'] == num_blocks
    image = torch.rand(1, 3, 48, 48, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        torch.testing.assert_close(grown(image), trained(image), rtol=0, atol=1e-6)


def _bare_checkpoint_and_config(tmp_path, network: CPRAformer, arguments: str) -> tuple:
    """Write ``network``'s bare state dict (``deep.pth``, no meta) and a config
    whose generator is ``CPRAformer(<arguments>)`` (``config.py``) under
    ``tmp_path``; return both paths."""
    source = tmp_path / 'deep.pth'
    torch.save({'state_dict': network.state_dict()}, source)
    config = tmp_path / 'config.py'
    config.write_text(f"model = dict(generator=dict(type='CPRAformer', {arguments}))\n")
    return source, config


def test_grown_weights_with_a_size_override_rebuild_from_their_meta(tmp_path, grow_tool):
    """A config that overrides the preset's depth (stage twenty-two's
    num_blocks on small_deep) records it in meta, so init_derainer() builds
    the grown network without the config."""
    trained = randomised(CPRAformer('small_deep', layout='corrected'), seed=4)
    source, config = _bare_checkpoint_and_config(
        tmp_path, trained, "preset='small_deep', layout='corrected', num_blocks=(1, 2, 3, 6)")
    out = tmp_path / 'deeper.pth'
    assert grow_tool.main([str(source), str(out), '--config', str(config)]) == 0
    saved = torch.load(out, map_location='cpu', weights_only=True)
    assert saved['meta']['num_blocks'] == (1, 2, 3, 6)
    _assert_rebuilds_the_trained_function(out, trained, (1, 2, 3, 6), seed=6)


def test_grow_weights_tool_errors(tmp_path, grow_tool, capsys):
    deep = randomised(CPRAformer('small_deep', layout='corrected'), seed=0)
    source, config = _bare_checkpoint_and_config(tmp_path, deep,
                                                 "preset='small', layout='corrected'")
    assert grow_tool.main([str(source), str(tmp_path / 'out.pth'), '--config', str(config)]) == 1
    assert 'growing cannot remove blocks' in capsys.readouterr().err
    assert not (tmp_path / 'out.pth').exists()
    assert grow_tool.main([str(source), str(source), '--config', str(config)]) == 2
    assert 'is the input checkpoint' in capsys.readouterr().err
    assert grow_tool.main([str(tmp_path / 'absent.pth'), str(tmp_path / 'out.pth'),
                           '--config', str(config)]) == 1
    assert 'absent.pth' in capsys.readouterr().err
    config.write_text("model = dict(generator=dict(type='CPRAformer', preset='huge'))\n")
    assert grow_tool.main([str(source), str(tmp_path / 'out.pth'), '--config', str(config)]) == 1
    assert 'preset must be one of' in capsys.readouterr().err
