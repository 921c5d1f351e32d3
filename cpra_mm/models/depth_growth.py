"""Growing a trained CPRAformer deeper without changing what it computes.

A deeper network (more blocks in some levels, e.g. a larger preset) takes
every weight of the trained one; each block the trained network lacks is
appended to its level with its two residual branches silenced (the
attention's and the feed-forward network's output projections, and the
reference frequency stage's bias, set to zero). Such a block is the
identity, so the grown network starts with exactly the trained network's
output, and training from there adds capacity without first undoing a
random perturbation. Gradients still reach the zeroed projections (their
inputs are not zero), so the new blocks start learning at once.
"""
import re
from typing import Dict, Mapping

import torch
from torch import nn

LEVELS = ('encoder_level1', 'encoder_level2', 'encoder_level3', 'latent', 'decoder_level3',
          'decoder_level2', 'decoder_level1', 'refinement')
"""The network's sequences of blocks (attribute names of
:class:`~cpra_mm.models.CPRAformer`)."""

SILENCED = ('attn.align.project_out.weight', 'attn.align.project_out.bias',
            'attn.frequency.bias', 'ffn.project_out.weight', 'ffn.project_out.bias')
"""The parameters, inside a block, set to zero to make a new block the
identity (those the block has)."""

_BLOCK_KEY = re.compile(r'^(?P<level>' + '|'.join(LEVELS) + r')\.(?P<index>\d+)\.(?P<rest>.+)$')


def blocks_per_level(state: Mapping[str, torch.Tensor]) -> Dict[str, int]:
    """``{level: number of blocks}`` of a CPRAformer state dict (levels
    without blocks are 0)."""
    counts = dict.fromkeys(LEVELS, 0)
    for key in state:
        match = _BLOCK_KEY.match(key)
        if match:
            level = match['level']
            counts[level] = max(counts[level], int(match['index']) + 1)
    return counts


def grown_state_dict(source: Mapping[str, torch.Tensor], target: nn.Module,
                     source_name: str = 'the source') -> Dict[str, torch.Tensor]:
    """``target``'s state dict carrying ``source``'s weights, the blocks
    ``source`` lacks made the identity.

    Args:
        source: the trained network's state dict (bare keys, no
            ``generator.`` prefix).
        target: a CPRAformer of the same width and layout with at least as
            many blocks in every level; its own (random) weights are kept for
            the new blocks' inner layers.
        source_name: the source's name, for error messages.

    Returns:
        ``{key: tensor}`` for every key of ``target.state_dict()``; loading
        it makes ``target`` compute what the source network computes (to
        float rounding).

    Raises:
        ValueError: naming ``source_name`` and the keys, when ``source``
        has a level with more blocks than ``target``, keys ``target`` lacks,
        tensors of another shape, or lacks a key that is not inside an
        appended block.
    """
    wanted = target.state_dict()
    have, need = blocks_per_level(source), blocks_per_level(wanted)
    shrunk = [f'{level} ({have[level]} -> {need[level]})' for level in LEVELS
              if have[level] > need[level]]
    if shrunk:
        raise ValueError(f'{source_name} has more blocks than the target network in '
                         f'{", ".join(shrunk)}; growing cannot remove blocks')
    unknown = sorted(set(source) - set(wanted))
    if unknown:
        raise ValueError(f'{source_name} has keys the target network lacks: {_listed(unknown)}')
    reshaped = sorted(k for k in source if source[k].shape != wanted[k].shape)
    if reshaped:
        raise ValueError(f'{source_name} does not fit the target network (another width or '
                         f'layout?): {_listed(reshaped)} differ in shape')
    grown, missing = {}, []
    for key, value in wanted.items():
        if key in source:
            grown[key] = source[key].detach().clone()
            continue
        match = _BLOCK_KEY.match(key)
        if match is None or int(match['index']) < have[match['level']]:
            missing.append(key)
            continue
        silenced = match['rest'] in SILENCED
        grown[key] = torch.zeros_like(value) if silenced else value.detach().clone()
    if missing:
        raise ValueError(f'{source_name} lacks weights outside the appended blocks: '
                         f'{_listed(missing)}')
    return grown


def _listed(keys: list, shown: int = 5) -> str:
    more = f' and {len(keys) - shown} more' if len(keys) > shown else ''
    return ', '.join(keys[:shown]) + more
