"""Edits of data pipelines (lists of transform configs) for config files.

Pure functions on plain ``dict`` / ``ConfigDict`` entries; their inputs are
not modified. No OpenMMLab import, so a config file may import them (as the
staged training configs in ``configs/cpraformer/`` do).
"""
import copy
from typing import Any, Dict, List, Mapping, Sequence


def type_name(entry: Mapping[str, Any]) -> str:
    """A config entry's ``type`` without its scope (``'mmdet.X'`` -> ``'X'``;
    a class gives its name, a missing type ``''``)."""
    kind = entry.get('type', '')
    return kind.split('.')[-1] if isinstance(kind, str) else getattr(kind, '__name__', '')


def insert_before(pipeline: Sequence[Mapping[str, Any]], before: str,
                  transform: Mapping[str, Any], **updates: Any) -> List[Dict[str, Any]]:
    """A copy of ``pipeline`` with ``transform`` inserted right before every
    entry of type ``before``, and ``updates`` applied to those entries.

    Example: paint graphics on the clean photograph before the rain is
    rendered over it, with half of those samples dry::

        insert_before(pipeline, 'AddRain', dict(type='PaintGraphics'), dry_prob=0.5)

    Args:
        pipeline: the data pipeline (a list of transform configs).
        before: the transform type to insert in front of (scope ignored).
        transform: the transform config to insert (copied at each place).
        **updates: keyword arguments set on each ``before`` entry.

    Returns:
        The new pipeline; its entries are copies.

    Raises:
        ValueError: when no entry has type ``before``.
    """
    entries: List[Dict[str, Any]] = []
    for entry in pipeline:
        entry = copy.deepcopy(dict(entry))
        if type_name(entry) == before:
            entries.append(copy.deepcopy(dict(transform)))
            entry.update(updates)
        entries.append(entry)
    if len(entries) == len(pipeline):
        raise ValueError(f'the pipeline has no {before} transform to insert '
                         f'{type_name(transform) or transform!r} before: '
                         f'{[type_name(entry) for entry in pipeline]}')
    return entries


def replace(pipeline: Sequence[Mapping[str, Any]], old: str,
            transform: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """A copy of ``pipeline`` with every entry of type ``old`` replaced by
    a copy of ``transform``.

    Example: crop at random scales instead of the photographs' own::

        replace(pipeline, 'Crop', dict(type='RandomResizedCrop', keys=['gt'], crop_size=96))

    Args:
        pipeline: the data pipeline (a list of transform configs).
        old: the transform type to replace (scope ignored).
        transform: the transform config put in its place.

    Returns:
        The new pipeline; its entries are copies.

    Raises:
        ValueError: when no entry has type ``old``.
    """
    if not any(type_name(entry) == old for entry in pipeline):
        raise ValueError(f'the pipeline has no {old} transform to replace with '
                         f'{type_name(transform) or transform!r}: '
                         f'{[type_name(entry) for entry in pipeline]}')
    return [copy.deepcopy(dict(transform if type_name(entry) == old else entry))
            for entry in pipeline]
