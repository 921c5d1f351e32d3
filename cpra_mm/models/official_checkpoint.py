"""Key mapping from the authors' CPRAformer code (class ``DAIT``) to
:class:`~cpra_mm.models.CPRAformer` in the reference layout."""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Tuple

import torch

#: ``(official key pattern, our key)`` rules, applied to the part of each key
#: after its level and block index (``encoder_level1.0.``); the first match
#: wins. ``None`` drops the key.
OFFICIAL_BLOCK_RULES: List[Tuple[str, object]] = [
    (r'norm(1|2)\.body\.(weight|bias)', r'norm\1.\2'),
    (r'attn\.linear_0\.(weight|bias)', r'attn.split.\1'),
    (r'attn\.linear_2\..*', None),  # defined but never used in the authors' forward
    (r'attn\.spr_sa\.conv_0\.0\.(weight|bias)', r'attn.spr.expand_dw.\1'),
    (r'attn\.spr_sa\.conv_0\.1\.(weight|bias)', r'attn.spr.expand_pw.\1'),
    (r'attn\.spr_sa\.conv_1\.(weight|bias)', r'attn.spr.out_proj.\1'),
    (r'attn\.temperature', r'attn.spc.temperature'),
    (r'attn\.qkv\.(weight|bias)', r'attn.spc.qkv.\1'),
    (r'attn\.qkv_dwconv\.(weight|bias)', r'attn.spc.qkv_dw.\1'),
    (r'attn\.gate\.0\.(weight|bias)', r'attn.spc.topk.reduce.\1'),
    (r'attn\.gate\.2\.(weight|bias)', r'attn.spc.topk.expand.\1'),
    (r'attn\.channel_interaction\.1\.(.*)', r'attn.align.channel_gate.reduce.\1'),
    (r'attn\.channel_interaction\.2\.(.*)', r'attn.align.channel_gate.norm.\1'),
    (r'attn\.channel_interaction\.4\.(.*)', r'attn.align.channel_gate.expand.\1'),
    (r'attn\.spatial_interaction\.0\.(.*)', r'attn.align.spatial_gate.reduce.\1'),
    (r'attn\.spatial_interaction\.1\.(.*)', r'attn.align.spatial_gate.norm.\1'),
    (r'attn\.spatial_interaction\.3\.(.*)', r'attn.align.spatial_gate.expand.\1'),
    (r'attn\.project_out\.(weight|bias)', r'attn.align.project_out.\1'),
    (r'attn\.fft\.conv1x1\.conv\.(weight|bias)', r'attn.frequency.\1'),
    (r'ffn\.project_in\.(weight|bias)', r'ffn.project_in.\1'),
    (r'ffn\.dwconv\.(weight|bias)', r'ffn.dwconv3.\1'),
    (r'ffn\.dwconv_2\.(weight|bias)', r'ffn.dwconv5.\1'),
    (r'ffn\.project_out\.(weight|bias)', r'ffn.project_out.\1'),
]

#: Rules for the keys outside the blocks.
OFFICIAL_TOP_RULES: List[Tuple[str, str]] = [
    (r'patch_embed\.proj\.weight', r'patch_embed.weight'),
    (r'(down\d_\d|up\d_\d)\.body\.0\.weight', r'\1.conv.weight'),
    (r'(reduce_chan_level\d|output)\.(weight|bias)', r'\1.\2'),
]

#: The four scalars the authors' attention weighs ``attn @ v`` with; stacked
#: into ``attn.spc.output_scales`` (shape 4) in this order.
OFFICIAL_OUTPUT_SCALES = ('attn1', 'attn2', 'attn3', 'attn4')

_LEVELS = r'(encoder_level[123]|latent|decoder_level[123]|refinement)'
_BLOCK_KEY = re.compile(_LEVELS + r'\.(\d+)\.(.+)')


class OfficialCheckpointError(ValueError):
    """A state dict that does not follow the authors' layout."""


def _convert_block_key(rest: str) -> object:
    for pattern, target in OFFICIAL_BLOCK_RULES:
        if re.fullmatch(pattern, rest):
            return None if target is None else re.sub(pattern, target, rest)
    raise OfficialCheckpointError(f'unknown key inside a block: {rest!r}')


def convert_official_state_dict(
        state: Mapping[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Convert the authors' ``DAIT`` state dict to CPRAformer's reference
    layout.

    Args:
        state: their bare state dict (``DAIT().state_dict()``); unwrap a
            checkpoint file's content first with
            :func:`cpra_mm.utils.derainer_checkpoint.unwrap_state_dict`.

    Returns:
        A state dict that ``CPRAformer(layout='reference')`` of the same size
        loads with ``strict=True``.

    Raises:
        OfficialCheckpointError: a key that the mapping does not know, or an
        attention block without its four output scalars.
    """
    converted: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    scales: Dict[str, Dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        block = _BLOCK_KEY.fullmatch(key)
        if block:
            prefix = f'{block.group(1)}.{block.group(2)}.'
            rest = block.group(3)
            scale = re.fullmatch(r'attn\.(attn[1-4])', rest)
            if scale:
                scales.setdefault(prefix, {})[scale.group(1)] = value
                continue
            new_rest = _convert_block_key(rest)
            if new_rest is not None:
                converted[prefix + new_rest] = value
            continue
        for pattern, target in OFFICIAL_TOP_RULES:
            if re.fullmatch(pattern, key):
                converted[re.sub(pattern, target, key)] = value
                break
        else:
            raise OfficialCheckpointError(f'unknown key: {key!r}')
    for prefix, found in scales.items():
        missing = [name for name in OFFICIAL_OUTPUT_SCALES if name not in found]
        if missing:
            raise OfficialCheckpointError(f'{prefix}attn lacks {missing}')
        converted[prefix + 'attn.spc.output_scales'] = torch.cat(
            [found[name].reshape(1) for name in OFFICIAL_OUTPUT_SCALES])
    return converted
