"""Loading trained derainer weights from any checkpoint the project writes."""
from typing import Dict, List, Mapping

import torch
from mmengine.runner import CheckpointLoader
from torch import nn

from cpra_mm.models.official_checkpoint import OfficialCheckpointError, unwrap_state_dict

GENERATOR_PREFIX = 'generator.'
"""Prefix of the network's keys in MMagic checkpoints (``DerainRestorer``)."""

_KEYS_SHOWN = 8
"""How many key names an error message lists before eliding the rest."""


class DerainerCheckpointError(RuntimeError):
    """A checkpoint that does not hold weights for the derainer it is loaded
    into."""


def derainer_state_dict(checkpoint: Mapping) -> Dict[str, torch.Tensor]:
    """Return the derainer's own state dict from a loaded checkpoint.

    Accepts an MMEngine/MMagic checkpoint (``{'state_dict': {...}, 'meta':
    ...}``, the network under ``generator.`` keys beside the model's other
    entries), a ``{'state_dict': ...}``, ``{'params': ...}`` or ``{'model':
    ...}`` wrapper, or a bare state dict; a DataParallel ``module.`` prefix is
    removed. When any key starts with ``generator.``, only those keys are
    kept, without the prefix; otherwise every key is.

    Raises:
        OfficialCheckpointError: when the checkpoint is not a mapping.
    """
    state = unwrap_state_dict(checkpoint)
    generator = {key[len(GENERATOR_PREFIX):]: value for key, value in state.items()
                 if key.startswith(GENERATOR_PREFIX)}
    return generator if generator else dict(state)


def _listed(keys: List[str]) -> str:
    shown = ', '.join(keys[:_KEYS_SHOWN])
    more = len(keys) - _KEYS_SHOWN
    return f'[{shown}{f", ... ({more} more)" if more > 0 else ""}]'


def _shape(value) -> str:
    shape = getattr(value, 'shape', None)
    return str(tuple(shape)) if shape is not None else f'({type(value).__name__})'


def load_derainer_weights(derainer: nn.Module, filename: str) -> None:
    """Load the weights in ``filename`` into ``derainer``, strictly.

    Args:
        derainer: the network, built with the size and layout the checkpoint
            was trained with.
        filename: a local path (or any scheme MMEngine's
            :class:`~mmengine.runner.CheckpointLoader` knows) of a checkpoint
            in one of the forms :func:`derainer_state_dict` accepts.

    Raises:
        FileNotFoundError: when a local ``filename`` does not exist.
        DerainerCheckpointError: naming ``filename`` and the missing,
            unexpected and wrongly shaped keys, when the weights do not fit
            ``derainer`` exactly (e.g. a checkpoint of another preset).
    """
    try:
        checkpoint = CheckpointLoader.load_checkpoint(filename, map_location='cpu')
    except FileNotFoundError as error:
        raise FileNotFoundError(f'derainer_checkpoint {filename!r} does not exist') from error
    try:
        state = derainer_state_dict(checkpoint)
    except OfficialCheckpointError as error:
        raise DerainerCheckpointError(f'derainer_checkpoint {filename!r}: {error}') from error
    own = derainer.state_dict()
    missing = [key for key in own if key not in state]
    unexpected = [key for key in state if key not in own]
    reshaped = [f'{key} {_shape(state[key])} vs {_shape(own[key])}' for key in own
                if key in state and getattr(state[key], 'shape', None) != own[key].shape]
    problems = []
    if missing:
        problems.append(f'{len(missing)} missing keys {_listed(missing)}')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys {_listed(unexpected)}')
    if reshaped:
        problems.append(f'{len(reshaped)} keys of another shape (checkpoint vs derainer) '
                        f'{_listed(reshaped)}')
    if problems:
        raise DerainerCheckpointError(
            f'derainer_checkpoint {filename!r} does not fit the derainer '
            f'{type(derainer).__name__}: {"; ".join(problems)}. Build the derainer with the '
            'preset and layout it was trained with.')
    derainer.load_state_dict(state, strict=True)
