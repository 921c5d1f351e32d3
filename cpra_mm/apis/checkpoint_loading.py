"""Reading CPRAformer weights from the checkpoint formats this project meets.

Three layouts are understood:

* an MMEngine / MMagic training checkpoint, ``{'meta': ..., 'state_dict':
  {'generator.<key>': ...}, ...}``: the network's keys are those under the
  ``generator.`` prefix (the rest of the editing model is ignored);
* a wrapped state dict of the bare network, ``{'state_dict': {...}}``,
  optionally with a ``meta`` entry;
* a bare state dict, optionally with a top-level ``meta`` entry (the layout
  of the built-in weights).

A DataParallel ``module.`` prefix is removed in every case.
"""
import pickle
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

import torch
from torch import nn

GENERATOR_PREFIX = 'generator.'
DATA_PARALLEL_PREFIX = 'module.'
META_KEY = 'meta'
STATE_DICT_KEY = 'state_dict'
MAX_KEYS_SHOWN = 10


class CheckpointMismatchError(ValueError):
    """The weights of a checkpoint do not fit the network built for them."""


def read_checkpoint(path: Union[str, Path]) -> Dict[str, Any]:
    """Load a checkpoint file onto the CPU.

    Loading is restricted to tensors and the plain types MMEngine writes
    (``torch.load(..., weights_only=True)``; ``import cpra_mm``, which runs
    before this module, allow-lists MMEngine's types), so a checkpoint cannot
    run code.

    Args:
        path: the ``.pth`` file.

    Returns:
        The checkpoint's top-level mapping.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        ValueError: the file is not a readable checkpoint, or holds no mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, EOFError, OSError) as error:
        raise ValueError(f'cannot read checkpoint {path}: {error}') from error
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f'checkpoint {path} holds a {type(checkpoint).__name__}, '
                         'not a mapping of weights')
    return dict(checkpoint)


def checkpoint_meta(checkpoint: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The checkpoint's ``meta`` mapping, or None when it has none."""
    meta = checkpoint.get(META_KEY)
    return meta if isinstance(meta, Mapping) else None


def generator_state_dict(checkpoint: Mapping[str, Any],
                         source: Union[str, Path]) -> Dict[str, torch.Tensor]:
    """Extract the bare network's state dict from a checkpoint.

    Args:
        checkpoint: as returned by :func:`read_checkpoint`.
        source: the checkpoint's name, for error messages.

    Returns:
        ``{key: tensor}`` with the ``generator.`` (when any key has it) and
        ``module.`` prefixes removed.

    Raises:
        ValueError: a value that is not a tensor.
    """
    if isinstance(checkpoint.get(STATE_DICT_KEY), Mapping):
        state = dict(checkpoint[STATE_DICT_KEY])
    else:
        state = {k: v for k, v in checkpoint.items() if k != META_KEY}
    state = {_strip(k, DATA_PARALLEL_PREFIX): v for k, v in state.items()}
    if any(key.startswith(GENERATOR_PREFIX) for key in state):
        state = {k[len(GENERATOR_PREFIX):]: v for k, v in state.items()
                 if k.startswith(GENERATOR_PREFIX)}
    not_tensors = sorted(k for k, v in state.items() if not isinstance(v, torch.Tensor))
    if not_tensors:
        raise ValueError(f'checkpoint {source} holds non-tensor entries where weights are '
                         f'expected: {_shown(not_tensors)}')
    return state


def load_generator_weights(model: nn.Module, state: Mapping[str, torch.Tensor],
                           source: Union[str, Path]) -> None:
    """Load ``state`` into ``model`` strictly.

    Args:
        model: the network.
        state: its weights, e.g. from :func:`generator_state_dict`.
        source: the checkpoint's name, for error messages.

    Raises:
        CheckpointMismatchError: keys missing from ``state``, keys ``model``
        does not have, or tensors of another shape; the message lists them.
    """
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    reshaped = sorted(f'{key} (checkpoint {tuple(state[key].shape)}, network '
                      f'{tuple(expected[key].shape)})'
                      for key in set(expected) & set(state)
                      if state[key].shape != expected[key].shape)
    if missing or unexpected or reshaped:
        problems = [f'{label} ({len(keys)}): {_shown(keys)}'
                    for label, keys in (('missing keys', missing),
                                        ('unexpected keys', unexpected),
                                        ('shape mismatches', reshaped)) if keys]
        raise CheckpointMismatchError(
            f'checkpoint {source} does not fit {type(model).__name__}: ' + '; '.join(problems) +
            '. Was it trained with another preset or layout? Pass the training config.')
    model.load_state_dict(state, strict=True)


def _strip(key: str, prefix: str) -> str:
    return key[len(prefix):] if key.startswith(prefix) else key


def _shown(keys: List[str]) -> str:
    shown = ', '.join(keys[:MAX_KEYS_SHOWN])
    more = len(keys) - MAX_KEYS_SHOWN
    return shown + (f' ... and {more} more' if more > 0 else '')
