"""Reading a deraining network's weights from the checkpoint layouts this
project meets, and loading them strictly; likewise the weights of a detector
or segmenter with a derain stage, whose derainer weights come from elsewhere
(:func:`load_task_weights`).

Used by :func:`cpra_mm.apis.init_derainer`, by the det/seg derain stage
(:class:`cpra_mm.downstream.DerainStage`) and by the downstream evaluation
(:mod:`cpra_mm.apis.downstream_evaluation`); nothing here imports MMagic,
MMDetection or MMSegmentation models.

Layouts understood (:func:`generator_state_dict`):

* an MMEngine / MMagic training checkpoint, ``{'meta': ..., 'state_dict':
  {'generator.<key>': ...}, ...}``: the network's keys are those under the
  ``generator.`` prefix (the rest of the editing model is ignored);
* a wrapped state dict of the bare network, ``{'state_dict': {...}}`` (or
  ``{'params': ...}``, ``{'model': ...}``), optionally with a ``meta`` entry;
* a bare state dict, optionally with a top-level ``meta`` entry (the layout
  of the built-in weights).

A DataParallel ``module.`` prefix is removed in every case.
"""
import pickle
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

import torch
from mmengine.runner import CheckpointLoader
from torch import nn

GENERATOR_PREFIX = 'generator.'
"""Prefix of the network's keys in MMagic checkpoints (``DerainRestorer``)."""

STATE_DICT_WRAPPERS = ('state_dict', 'params', 'model')
"""Keys under which checkpoints wrap their state dict, tried in this order."""

DATA_PARALLEL_PREFIX = 'module.'

META_KEY = 'meta'
URL_MARKER = '://'
"""Checkpoint names containing it (``https://...``, ``s3://...``) are
fetched with MMEngine's :class:`~mmengine.runner.CheckpointLoader`."""

MAX_KEYS_SHOWN = 10
"""How many key names an error message lists before eliding the rest."""


class CheckpointMismatchError(ValueError):
    """The weights of a checkpoint do not fit the network built for them."""


def read_checkpoint(path: Union[str, Path]) -> Dict[str, Any]:
    """Load a checkpoint onto the CPU.

    A local file is loaded with ``torch.load(..., weights_only=True)``,
    restricted to tensors and the plain types MMEngine writes (``import
    cpra_mm``, which runs before this module, allow-lists MMEngine's types),
    so a checkpoint cannot run code. A URL is fetched with MMEngine's
    :class:`~mmengine.runner.CheckpointLoader`.

    Args:
        path: the ``.pth`` file, or a URL.

    Returns:
        The checkpoint's top-level mapping.

    Raises:
        FileNotFoundError: a local ``path`` that is not a file.
        ValueError: the file is not a readable checkpoint, or holds no mapping.
    """
    if URL_MARKER in str(path):
        checkpoint = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    else:
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


def unwrap_state_dict(checkpoint: Mapping[str, Any]) -> Dict[str, Any]:
    """The state dict inside a checkpoint, whatever its wrapping.

    Args:
        checkpoint: ``{'state_dict': {...}}``, ``{'params': {...}}``,
            ``{'model': {...}}`` (the first of these keys whose value is a
            mapping) or a bare state dict.

    Returns:
        ``{key: value}`` with a DataParallel ``module.`` prefix removed from
        the keys; other entries (such as ``meta`` in a bare state dict) are
        kept.

    Raises:
        ValueError: ``checkpoint`` is not a mapping.
    """
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f'expected a mapping of tensors, got {type(checkpoint).__name__}')
    state = next((checkpoint[key] for key in STATE_DICT_WRAPPERS
                  if isinstance(checkpoint.get(key), Mapping)), checkpoint)
    return {k[len(DATA_PARALLEL_PREFIX):] if k.startswith(DATA_PARALLEL_PREFIX) else k: v
            for k, v in state.items()}


def checkpoint_meta(checkpoint: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The checkpoint's ``meta`` mapping, or None when it has none."""
    meta = checkpoint.get(META_KEY)
    return meta if isinstance(meta, Mapping) else None


def generator_state_dict(checkpoint: Mapping[str, Any],
                         source: Union[str, Path]) -> Dict[str, torch.Tensor]:
    """Extract the bare network's state dict from a checkpoint.

    Args:
        checkpoint: as returned by :func:`read_checkpoint`, in one of the
            layouts of this module's description.
        source: the checkpoint's name, for error messages.

    Returns:
        ``{key: tensor}`` without ``meta``, with the ``module.`` prefix
        removed and, when any key has the ``generator.`` prefix, only those
        keys, without it.

    Raises:
        ValueError: a value that is not a tensor.
    """
    state = {k: v for k, v in unwrap_state_dict(checkpoint).items() if k != META_KEY}
    if any(key.startswith(GENERATOR_PREFIX) for key in state):
        state = {k[len(GENERATOR_PREFIX):]: v for k, v in state.items()
                 if k.startswith(GENERATOR_PREFIX)}
    not_tensors = sorted(k for k, v in state.items() if not isinstance(v, torch.Tensor))
    if not_tensors:
        raise ValueError(f'checkpoint {source} holds non-tensor entries where weights are '
                         f'expected: {_shown(not_tensors)}')
    return state


def save_generator_weights(path: Union[str, Path], state: Mapping[str, torch.Tensor],
                           meta: Mapping[str, Any]) -> None:
    """Write a bare network's weights in the layout of tools/export_weights.py.

    Args:
        path: the ``.pth`` file; its folder is created when missing.
        state: the network's state dict (keys without the ``generator.``
            prefix).
        meta: what the file records of the network (``preset``, ``layout``,
            network arguments; see
            :func:`cpra_mm.apis.generator_builder.generator_meta`) and of
            its provenance.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({'state_dict': {GENERATOR_PREFIX + k: v for k, v in state.items()},
                META_KEY: dict(meta)}, path)


def load_generator_weights(model: nn.Module, state: Mapping[str, torch.Tensor],
                           source: Union[str, Path]) -> None:
    """Load ``state`` into ``model`` strictly.

    Args:
        model: the network.
        state: its weights, e.g. from :func:`generator_state_dict`.
        source: the checkpoint's name, for error messages.

    Raises:
        CheckpointMismatchError: keys missing from ``state``, keys ``model``
        does not have, or tensors of another shape; the message names
        ``source`` and lists them.
    """
    problems = _fit_problems(model, state)
    if problems:
        raise CheckpointMismatchError(
            f'checkpoint {source} does not fit {type(model).__name__}: ' + '; '.join(problems) +
            '. Was it trained with another preset or layout? Build the network with those of '
            'its training config.')
    model.load_state_dict(state, strict=True)


def load_task_weights(model: nn.Module, checkpoint: Union[str, Path],
                      ignored_prefix: Optional[str] = None) -> None:
    """Read ``checkpoint`` and load its weights into ``model`` strictly,
    except for the keys under ``ignored_prefix``.

    Meant for a detector or segmenter whose data preprocessor derains:
    with ``ignored_prefix='data_preprocessor.derain_stage.'`` its derainer
    keeps the weights it was built with (its own checkpoint), derainer keys
    in ``checkpoint`` are skipped, and every other key must fit.

    Args:
        model: the model (unwrapped, not DDP).
        checkpoint: a local file or a URL; an MMEngine checkpoint
            (``state_dict``), a wrapped or a bare state dict, with or without
            a ``module.`` prefix.
        ignored_prefix: keys starting with it, of the model and of the
            checkpoint, are neither compared nor loaded.

    Raises:
        FileNotFoundError: a local ``checkpoint`` that does not exist.
        ValueError: an unreadable checkpoint, or one holding non-tensors.
        CheckpointMismatchError: missing or unexpected keys, or tensors of
            another shape; the message names ``checkpoint`` and the keys.
    """
    state = {k: v for k, v in unwrap_state_dict(read_checkpoint(checkpoint)).items()
             if k != META_KEY and not (ignored_prefix and k.startswith(ignored_prefix))}
    not_tensors = sorted(k for k, v in state.items() if not isinstance(v, torch.Tensor))
    if not_tensors:
        raise ValueError(f'checkpoint {checkpoint} holds non-tensor entries where weights are '
                         f'expected: {_shown(not_tensors)}')
    problems = _fit_problems(model, state, ignored_prefix)
    if problems:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not fit {type(model).__name__}: ' + '; '.join(problems))
    model.load_state_dict(state, strict=False)


def _fit_problems(model: nn.Module, state: Mapping[str, torch.Tensor],
                  ignored_prefix: Optional[str] = None) -> List[str]:
    """What keeps ``state`` from fitting ``model`` exactly: one line each
    for missing keys, unexpected keys and shape mismatches (none: empty).
    The model's keys under ``ignored_prefix`` are not required."""
    expected = {k: v for k, v in model.state_dict().items()
                if not (ignored_prefix and k.startswith(ignored_prefix))}
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    reshaped = sorted(f'{key} (checkpoint {tuple(state[key].shape)}, network '
                      f'{tuple(expected[key].shape)})'
                      for key in set(expected) & set(state)
                      if state[key].shape != expected[key].shape)
    return [f'{label} ({len(keys)}): {_shown(keys)}'
            for label, keys in (('missing keys', missing), ('unexpected keys', unexpected),
                                ('shape mismatches', reshaped)) if keys]


def load_derainer_weights(derainer: nn.Module, checkpoint: Union[str, Path]) -> None:
    """Read ``checkpoint`` and load the network's weights in it into
    ``derainer``, strictly.

    :func:`read_checkpoint`, :func:`generator_state_dict` and
    :func:`load_generator_weights` in one call, for callers that already
    built the network.

    Args:
        derainer: the network, built with the size and layout the checkpoint
            was trained with.
        checkpoint: a local file or a URL, in any layout of this module's
            description.

    Raises:
        FileNotFoundError: a local ``checkpoint`` that does not exist.
        ValueError: an unreadable checkpoint, or one holding non-tensors.
        CheckpointMismatchError: weights that do not fit ``derainer``
            exactly (e.g. a checkpoint of another preset).
    """
    state = generator_state_dict(read_checkpoint(checkpoint), checkpoint)
    load_generator_weights(derainer, state, checkpoint)


def _shown(keys: List[str]) -> str:
    """``keys`` joined by commas, the ones beyond :data:`MAX_KEYS_SHOWN`
    counted."""
    shown = ', '.join(keys[:MAX_KEYS_SHOWN])
    more = len(keys) - MAX_KEYS_SHOWN
    return shown + (f' ... and {more} more' if more > 0 else '')
