"""Turning a detector's or segmenter's config into a rain chain: synthetic
rain in its test pipeline, a derain stage in its data preprocessor.

The one implementation of both edits, used by the chain config files
(``configs/demo/shapes-*_rainy.py``, which import these functions) and by
:mod:`cpra_mm.apis.downstream_modes` for any user config. Both functions
take config pieces (plain ``dict`` / ``ConfigDict``) and return new ones;
their inputs are not modified. Nothing here imports MMDetection or
MMSegmentation.
"""
import copy
from typing import Any, Dict, List, Mapping, Optional, Sequence

LOADER_PREFIX = 'LoadImage'
"""Transforms whose name starts with this load the image (``LoadImageFromFile``,
``LoadImageFromNDArray``, ...); rain goes right after the first of them."""

DERAIN_PREPROCESSORS: Dict[str, str] = {
    'DetDataPreprocessor': 'DerainDetDataPreprocessor',
    'SegDataPreProcessor': 'DerainSegDataPreProcessor',
}
"""Stock data preprocessor type -> its deraining counterpart (``cpra_mm.det``,
``cpra_mm.seg``)."""

DERAIN_ARGUMENTS = ('derainer', 'derainer_checkpoint', 'trainable', 'derain_tile_size',
                    'derain_tile_overlap', 'derain_channel_order')
"""Arguments a deraining preprocessor adds to the stock one
(:class:`cpra_mm.downstream.DerainPreprocessingMixin`)."""


def type_name(entry: Mapping[str, Any]) -> str:
    """A config entry's ``type`` without its scope (``'mmdet.X'`` -> ``'X'``;
    a class gives its name, a missing type ``''``)."""
    kind = entry.get('type', '')
    return kind.split('.')[-1] if isinstance(kind, str) else getattr(kind, '__name__', '')


def add_rain(pipeline: Sequence[Mapping[str, Any]], seed: Optional[int] = None,
             **rain: Any) -> List[Dict[str, Any]]:
    """A copy of ``pipeline`` with ``AddRain(seed=seed, **rain)`` right after
    its first image-loading transform.

    Rain is rendered on the image as loaded, before any resizing, like a
    photograph taken in the rain. With a ``seed`` the rain of an image
    depends only on the seed and the image's path, so every config built
    with the same seed shows the model the same rainy images.

    Args:
        pipeline: the data pipeline (a list of transform configs).
        seed: ``AddRain``'s seed; ``None`` draws fresh rain every time.
        **rain: further ``AddRain`` arguments (``density``, ``length``, ...);
            none gives ``AddRain``'s defaults.

    Returns:
        The new pipeline; its entries are copies.

    Raises:
        ValueError: when no transform's name starts with ``LoadImage``.
    """
    entries = [copy.deepcopy(dict(entry)) for entry in pipeline]
    loaders = [i for i, entry in enumerate(entries) if type_name(entry).startswith(LOADER_PREFIX)]
    if not loaders:
        raise ValueError(f'the pipeline has no {LOADER_PREFIX}* transform to add rain after: '
                         f'{[type_name(entry) for entry in entries]}')
    entries.insert(loaders[0] + 1, dict(type='AddRain', seed=seed, **rain))
    return entries


def add_derain_stage(data_preprocessor: Mapping[str, Any], **derain: Any) -> Dict[str, Any]:
    """The deraining counterpart of a stock data preprocessor config.

    ``DetDataPreprocessor`` becomes ``DerainDetDataPreprocessor`` and
    ``SegDataPreProcessor`` ``DerainSegDataPreProcessor`` (a scope prefix
    such as ``mmdet.`` is kept), with the same ``mean``, ``std``, channel
    flip, padding and batch augments. A config that already derains keeps
    its type and deraining settings, except those given in ``derain``.

    Args:
        data_preprocessor: the model's ``data_preprocessor`` config.
        **derain: the deraining arguments (``derainer``,
            ``derainer_checkpoint``, ``trainable``, ``derain_tile_size``,
            ``derain_tile_overlap``, ``derain_channel_order``).

    Returns:
        The new preprocessor config.

    Raises:
        ValueError: for a preprocessor type without a deraining counterpart,
            or an argument that is not a deraining one.
    """
    unknown = sorted(set(derain) - set(DERAIN_ARGUMENTS))
    if unknown:
        raise ValueError(f'not deraining arguments: {unknown}; expected some of '
                         f'{list(DERAIN_ARGUMENTS)}')
    config = copy.deepcopy(dict(data_preprocessor))
    kind = config.get('type', '')
    name = type_name(config)
    if name in DERAIN_PREPROCESSORS:
        scope = kind[:-len(name)] if isinstance(kind, str) else ''
        config['type'] = scope + DERAIN_PREPROCESSORS[name]
    elif name not in DERAIN_PREPROCESSORS.values():
        raise ValueError(f'model.data_preprocessor is {name or "missing"}; only '
                         f'{", ".join(DERAIN_PREPROCESSORS)} get a derain stage')
    config.update(derain)
    return config
