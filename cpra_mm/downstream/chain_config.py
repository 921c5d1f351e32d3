"""Turning a detector's or segmenter's config into a rain chain: synthetic
rain in its pipelines (and out again, to test the same chain on clean
images), a derain stage in its data preprocessor, and the clean copy joint
fine-tuning needs.

The one implementation of these edits, used by the chain config files
(``configs/demo/shapes-*_rainy.py`` and ``configs/downstream/``, which
import these functions) and by :mod:`cpra_mm.apis.downstream_modes` for any
user config. The functions take config pieces (plain ``dict`` /
``ConfigDict``) and return new ones; their inputs are not modified. Nothing
here imports MMDetection or MMSegmentation.
"""
import copy
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from cpra_mm.utils.pipeline_edit import type_name

LOADER_PREFIX = 'LoadImage'
"""Transforms whose name starts with this load the image (``LoadImageFromFile``,
``LoadImageFromNDArray``, ...); rain goes right after the first of them."""

DERAIN_PREPROCESSORS: Dict[str, str] = {
    'DetDataPreprocessor': 'DerainDetDataPreprocessor',
    'SegDataPreProcessor': 'DerainSegDataPreProcessor',
}
"""Stock data preprocessor type -> its deraining counterpart (``cpra_mm.det``,
``cpra_mm.seg``)."""

PACK_META_KEYS: Dict[str, Tuple[str, ...]] = {
    'PackDetInputs': ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                      'flip_direction'),
    'PackSegInputs': ('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape',
                      'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label'),
}
"""The default ``meta_keys`` of the pack transforms (MMDetection 3.3,
MMSegmentation 1.2), for a pack transform that sets none."""

DERAIN_ARGUMENTS = ('derainer', 'derainer_checkpoint', 'trainable', 'derain_tile_size',
                    'derain_tile_overlap', 'derain_channel_order', 'derain_precision',
                    'derain_compile', 'derain_align_streaks', 'derain_flip_ensemble')
"""Arguments a deraining preprocessor adds to the stock one
(:class:`cpra_mm.downstream.DerainPreprocessingMixin`)."""


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


def remove_rain(pipeline: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """A copy of ``pipeline`` without its ``AddRain`` transforms: the clean
    pipeline a rainy one (:func:`add_rain`) was made from, so a chain config
    can test the same model on the clean images.

    Args:
        pipeline: the data pipeline (a list of transform configs).

    Returns:
        The new pipeline; its entries are copies.

    Raises:
        ValueError: when the pipeline has no ``AddRain`` (nothing to remove
            means the config is not the rainy one it was meant to be).
    """
    entries = [copy.deepcopy(dict(entry)) for entry in pipeline]
    kept = [entry for entry in entries if type_name(entry) != 'AddRain']
    if len(kept) == len(entries):
        raise ValueError(f'the pipeline has no AddRain to remove: '
                         f'{[type_name(entry) for entry in entries]}')
    return kept


def add_clean_copy(pipeline: Sequence[Mapping[str, Any]], clean_key: str = 'clean_img',
                   **rain: Any) -> List[Dict[str, Any]]:
    """A copy of a training ``pipeline`` for joint fine-tuning
    (:class:`cpra_mm.downstream.JointDerainTaskModel`): ``KeepCleanCopy`` and
    ``AddRain(src_key='img', dst_key='img', **rain)`` right before its last
    transform, the pack transform, whose ``meta_keys`` gain ``clean_key``.

    The clean copy is thus taken after every geometric and photometric
    transform, the rain added to the very image the model gets, and the copy
    packed into each data sample's metainfo. An ``AddRain`` the pipeline
    already has (a rainy baseline's, after loading) is left out: the rain is
    added once, behind the copy.

    Args:
        pipeline: the training pipeline, clean or rainy, ending with its pack
            transform (``PackDetInputs``, ``PackSegInputs``, ...).
        clean_key: the results and metainfo key of the clean copy.
        **rain: ``AddRain``'s other arguments (``seed``, ``density``, ...);
            without ``seed`` the rain is drawn afresh every time
            (``seed=None``).

    Returns:
        The new pipeline; its entries are copies.

    Raises:
        ValueError: when the last transform's name does not start with
            ``Pack`` or it has no ``meta_keys`` of its own and none is known
            for it (:data:`PACK_META_KEYS`).
    """
    entries = [copy.deepcopy(dict(entry)) for entry in pipeline
               if type_name(entry) != 'AddRain']
    pack = entries[-1] if entries else {}
    name = type_name(pack)
    meta_keys = pack.get('meta_keys', PACK_META_KEYS.get(name))
    if not name.startswith('Pack') or meta_keys is None:
        raise ValueError(f'the pipeline must end with a pack transform with meta_keys (or one of '
                         f'{sorted(PACK_META_KEYS)}), got {name or "nothing"}')
    pack['meta_keys'] = (*meta_keys, clean_key)
    return [
        *entries[:-1],
        dict(type='KeepCleanCopy', src_key='img', dst_key=clean_key),
        dict(type='AddRain', src_key='img', dst_key='img', **{'seed': None, **rain}),
        pack,
    ]


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
            ``derain_tile_overlap``, ``derain_channel_order``,
            ``derain_precision``, ``derain_compile``,
            ``derain_align_streaks``, ``derain_flip_ensemble``).

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
