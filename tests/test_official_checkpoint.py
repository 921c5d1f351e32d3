"""A state dict laid out as the authors' code lays it out loads through the
converter. The authors' layout is written out here by hand from the
architecture in docs/architecture.md (their module names and shapes), not
from their code."""
import pytest
import torch

from cpra_mm.models import PRESETS, CPRAformer
from cpra_mm.models.official_checkpoint import OfficialCheckpointError, convert_official_state_dict
from cpra_mm.utils.derainer_checkpoint import unwrap_state_dict
from tool_loading import load_tool

TINY = dict(dim=16, num_blocks=(1, 1, 1, 1), num_refinement_blocks=1, heads=(1, 1, 1, 1),
            ffn_expansion=1.0)


def authors_block(prefix, dim, heads, ffn):
    """Keys and shapes of one authors' TransformerBlock."""
    half, hidden = dim // 2, int(dim * ffn)
    shapes = {
        'norm1.body.weight': (dim,), 'norm1.body.bias': (dim,),
        'norm2.body.weight': (dim,), 'norm2.body.bias': (dim,),
        'attn.temperature': (heads, 1, 1),
        'attn.spr_sa.conv_0.0.weight': (dim, 1, 3, 3), 'attn.spr_sa.conv_0.0.bias': (dim,),
        'attn.spr_sa.conv_0.1.weight': (dim, dim, 1, 1), 'attn.spr_sa.conv_0.1.bias': (dim,),
        'attn.spr_sa.conv_1.weight': (half, dim, 1, 1), 'attn.spr_sa.conv_1.bias': (half,),
        'attn.linear_0.weight': (dim, dim, 1, 1), 'attn.linear_0.bias': (dim,),
        'attn.linear_2.weight': (dim, dim, 1, 1), 'attn.linear_2.bias': (dim,),
        'attn.qkv.weight': (half * 3, half, 1, 1),
        'attn.qkv_dwconv.weight': (half * 3, 1, 3, 3),
        'attn.project_out.weight': (dim, dim, 1, 1),
        'attn.attn1': (1,), 'attn.attn2': (1,), 'attn.attn3': (1,), 'attn.attn4': (1,),
        'attn.channel_interaction.1.weight': (dim // 8, half, 1, 1),
        'attn.channel_interaction.1.bias': (dim // 8,),
        'attn.channel_interaction.2.weight': (dim // 8,),
        'attn.channel_interaction.2.bias': (dim // 8,),
        'attn.channel_interaction.2.running_mean': (dim // 8,),
        'attn.channel_interaction.2.running_var': (dim // 8,),
        'attn.channel_interaction.2.num_batches_tracked': (),
        'attn.channel_interaction.4.weight': (half, dim // 8, 1, 1),
        'attn.channel_interaction.4.bias': (half,),
        'attn.spatial_interaction.0.weight': (dim // 16, half, 1, 1),
        'attn.spatial_interaction.0.bias': (dim // 16,),
        'attn.spatial_interaction.1.weight': (dim // 16,),
        'attn.spatial_interaction.1.bias': (dim // 16,),
        'attn.spatial_interaction.1.running_mean': (dim // 16,),
        'attn.spatial_interaction.1.running_var': (dim // 16,),
        'attn.spatial_interaction.1.num_batches_tracked': (),
        'attn.spatial_interaction.3.weight': (1, dim // 16, 1, 1),
        'attn.spatial_interaction.3.bias': (1,),
        'attn.fft.conv1x1.conv.weight': (dim * 2, 1, 1, 1),
        'attn.fft.conv1x1.conv.bias': (dim * 2,),
        'attn.gate.0.weight': (dim // 4, half, 1, 1), 'attn.gate.0.bias': (dim // 4,),
        'attn.gate.2.weight': (1, dim // 4, 1, 1), 'attn.gate.2.bias': (1,),
        'ffn.project_in.weight': (hidden * 2, dim, 1, 1),
        'ffn.dwconv.weight': (hidden, 1, 3, 3),
        'ffn.dwconv_2.weight': (hidden, 1, 5, 5),
        'ffn.project_out.weight': (dim, hidden, 1, 1),
    }
    return {f'{prefix}.{k}': v for k, v in shapes.items()}


def authors_state_dict(dim, num_blocks, num_refinement_blocks, heads, ffn_expansion):
    d = dim
    shapes = {'patch_embed.proj.weight': (d, 3, 7, 7)}
    levels = [('encoder_level1', d, num_blocks[0], heads[0]),
              ('encoder_level2', d * 2, num_blocks[1], heads[1]),
              ('encoder_level3', d * 4, num_blocks[2], heads[2]),
              ('latent', d * 8, num_blocks[3], heads[3]),
              ('decoder_level3', d * 4, num_blocks[2], heads[2]),
              ('decoder_level2', d * 2, num_blocks[1], heads[1]),
              ('decoder_level1', d * 2, num_blocks[0], heads[0]),
              ('refinement', d * 2, num_refinement_blocks, heads[0])]
    for name, channels, count, h in levels:
        for i in range(count):
            shapes.update(authors_block(f'{name}.{i}', channels, h, ffn_expansion))
    shapes.update({
        'down1_2.body.0.weight': (d // 2, d, 3, 3), 'down2_3.body.0.weight': (d, d * 2, 3, 3),
        'down3_4.body.0.weight': (d * 2, d * 4, 3, 3),
        'up4_3.body.0.weight': (d * 16, d * 8, 3, 3), 'up3_2.body.0.weight': (d * 8, d * 4, 3, 3),
        'up2_1.body.0.weight': (d * 4, d * 2, 3, 3),
        'reduce_chan_level3.weight': (d * 4, d * 8, 1, 1),
        'reduce_chan_level2.weight': (d * 2, d * 4, 1, 1),
        'output.weight': (3, d * 2, 3, 3),
    })
    return {k: (torch.randn(s) if s else torch.tensor(5)) for k, s in shapes.items()}


def test_authors_layout_loads_strictly_through_the_converter():
    theirs = authors_state_dict(**TINY)
    converted = convert_official_state_dict(unwrap_state_dict(
        {'state_dict': {f'module.{k}': v for k, v in theirs.items()}}))
    model = CPRAformer(None, layout='reference', **TINY)
    model.load_state_dict(converted, strict=True)
    block = model.encoder_level2[0]
    assert torch.equal(block.ffn.dwconv5.weight, theirs['encoder_level2.0.ffn.dwconv_2.weight'])
    assert torch.equal(block.attn.spc.topk.expand.weight,
                       theirs['encoder_level2.0.attn.gate.2.weight'])
    assert torch.equal(block.attn.align.channel_gate.norm.running_var,
                       theirs['encoder_level2.0.attn.channel_interaction.2.running_var'])
    assert torch.equal(block.attn.spc.output_scales,
                       torch.cat([theirs[f'encoder_level2.0.attn.attn{i}'] for i in range(1, 5)]))
    assert torch.equal(model.up4_3.conv.weight, theirs['up4_3.body.0.weight'])
    assert not any('linear_2' in k for k in converted)


def test_converter_names_unknown_keys():
    theirs = authors_state_dict(**TINY)
    theirs['encoder_level1.0.attn.mystery.weight'] = torch.zeros(1)
    with pytest.raises(OfficialCheckpointError, match='mystery'):
        convert_official_state_dict(theirs)


def test_converter_tool_writes_a_loadable_file(tmp_path):
    tool = load_tool('convert_official_ckpt')
    theirs = authors_state_dict(**PRESETS['small'])
    torch.save({'state_dict': theirs}, tmp_path / 'theirs.pth')
    assert tool.main([str(tmp_path / 'theirs.pth'), str(tmp_path / 'ours.pth'),
                      '--preset', 'small', '--mmagic']) == 0
    saved = torch.load(tmp_path / 'ours.pth', weights_only=True)
    assert saved['meta']['preset'] == 'small'
    assert all(k.startswith('generator.') for k in saved['state_dict'])
    assert tool.main([str(tmp_path / 'theirs.pth'), str(tmp_path / 'x.pth'), '--preset',
                      'paper']) == 1
