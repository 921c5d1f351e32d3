"""Averaging the weights of several trained copies of one network.

Copies trained on from one starting point (for instance continuations of
the built-in derainer with different losses or seeds) usually stay in one
basin of the loss, so the weighted mean of their parameters is itself a
working network, often better than each copy (a "model soup", Wortsman et
al., ICML 2022), at the cost of one network at inference. Nothing here
imports OpenMMLab models; ``tools/average_weights.py`` is the command.
"""
import math
from typing import Dict, Mapping, Optional, Sequence

import torch

COEFFICIENT_TOLERANCE = 1e-6
"""How far the coefficients' sum may lie from 1."""


def averaging_coefficients(count: int,
                           coefficients: Optional[Sequence[float]] = None) -> list:
    """The weight of each of ``count`` networks in their average.

    Args:
        count: how many networks are averaged (at least 2).
        coefficients: one non-negative number per network, summing to 1;
            None for the plain mean (``1 / count`` each).

    Returns:
        ``count`` floats summing to 1.

    Raises:
        ValueError: fewer than two networks, a count of coefficients that is
        not ``count``, a negative or non-finite coefficient, or a sum other
        than 1.
    """
    if count < 2:
        raise ValueError(f'averaging needs at least two networks, got {count}')
    if coefficients is None:
        return [1.0 / count] * count
    coefficients = [float(c) for c in coefficients]
    if len(coefficients) != count:
        raise ValueError(f'{len(coefficients)} coefficients given for {count} networks')
    if any(not math.isfinite(c) or c < 0 for c in coefficients):
        raise ValueError(f'coefficients must be finite and non-negative, got {coefficients}')
    if abs(sum(coefficients) - 1.0) > COEFFICIENT_TOLERANCE:
        raise ValueError(f'coefficients must sum to 1, got {coefficients} '
                         f'(sum {sum(coefficients):.6g})')
    return coefficients


def average_state_dicts(states: Sequence[Mapping[str, torch.Tensor]],
                        coefficients: Optional[Sequence[float]] = None,
                        sources: Optional[Sequence[str]] = None) -> Dict[str, torch.Tensor]:
    """The weighted mean of several state dicts of one network.

    Floating-point tensors are averaged in float64 and returned in their
    own dtype; any other tensor (an integer counter, a boolean mask) must be
    equal in every state dict and is copied.

    Args:
        states: the networks' state dicts, same keys, shapes and dtypes.
        coefficients: see :func:`averaging_coefficients` (default: the
            plain mean).
        sources: a name for each state dict (its file), for error messages;
            default ``#0``, ``#1``, ...

    Returns:
        ``{key: tensor}`` with the keys of ``states[0]``.

    Raises:
        ValueError: see :func:`averaging_coefficients`; or, naming the
        sources and keys, state dicts whose keys differ, tensors whose shape
        or dtype differ, or non-floating tensors that differ.
    """
    weights = averaging_coefficients(len(states), coefficients)
    names = list(sources) if sources is not None else [f'#{i}' for i in range(len(states))]
    first, reference = states[0], names[0]
    for state, name in zip(states[1:], names[1:]):
        missing, extra = sorted(set(first) - set(state)), sorted(set(state) - set(first))
        if missing or extra:
            raise ValueError(f'{name} and {reference} are not the same network: '
                             f'{name} lacks {missing[:5]} and has {extra[:5]} besides')
    averaged = {}
    for key, tensor in first.items():
        for state, name in zip(states[1:], names[1:]):
            other = state[key]
            if other.shape != tensor.shape or other.dtype != tensor.dtype:
                raise ValueError(
                    f'{key}: {name} holds {other.dtype} {tuple(other.shape)}, {reference} '
                    f'{tensor.dtype} {tuple(tensor.shape)}')
        if tensor.is_floating_point():
            total = sum(weight * state[key].double() for weight, state in zip(weights, states))
            averaged[key] = total.to(tensor.dtype).contiguous()
        else:
            for state, name in zip(states[1:], names[1:]):
                if not torch.equal(state[key], tensor):
                    raise ValueError(f'{key}: the non-floating tensor differs between {name} '
                                     f'and {reference} and cannot be averaged')
            averaged[key] = tensor.clone()
    return averaged
