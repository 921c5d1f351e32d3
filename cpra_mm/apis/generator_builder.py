"""Building the deraining network from an MMagic config or a checkpoint's
``meta``, without importing ``mmagic.models``.

The network class is looked up in cpra_mm's own registry, so a config's
``model.generator`` may name it ``'CPRAformer'`` or with any scope prefix
(``'mmagic.CPRAformer'``, ``'cpra_mm.CPRAformer'``).
"""
import inspect
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

from mmengine.config import Config
from torch import nn

from cpra_mm.models import CPRAformer
from cpra_mm.registry import MODELS

ConfigLike = Union[str, Path, Config]

_CPRAFORMER_PARAMETERS = inspect.signature(CPRAformer).parameters

NETWORK_ARGUMENTS = tuple(name for name in _CPRAFORMER_PARAMETERS
                          if name not in ('preset', 'layout'))
"""The arguments of :class:`~cpra_mm.models.CPRAformer` besides ``preset``
and ``layout`` (size overrides such as ``num_blocks``, layout switches such
as ``gate_norm``) that a checkpoint's ``meta`` records when its config sets
them."""


def load_config(config: ConfigLike) -> Config:
    """Read a config file (its ``custom_imports`` are not imported, so
    MMagic's model zoo is not loaded) or pass a :class:`Config` through.

    Raises:
        FileNotFoundError: ``config`` names no file.
    """
    if isinstance(config, Config):
        return config
    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(f'config not found: {path}')
    return Config.fromfile(str(path), import_custom_modules=False)


def generator_config_from_config(config: ConfigLike) -> Dict[str, Any]:
    """The network's config: ``model.generator`` of an MMagic config, or
    ``model`` itself when it has no ``generator`` (a config of the bare
    network).

    Raises:
        ValueError: the config has no ``model``.
    """
    cfg = load_config(config)
    source = getattr(cfg, 'filename', None) or 'the config'
    model = cfg.get('model')
    if not isinstance(model, Mapping):
        raise ValueError(f'{source} has no model=dict(...) to build the network from')
    generator = model.get('generator', model)
    if not isinstance(generator, Mapping):
        raise ValueError(f'{source}: model.generator must be a dict, got '
                         f'{type(generator).__name__}')
    return generator.to_dict() if hasattr(generator, 'to_dict') else dict(generator)


def generator_meta(generator: Mapping[str, Any]) -> Dict[str, Any]:
    """What a checkpoint's ``meta`` records of the network described by
    ``generator`` (``dict(type='CPRAformer', preset=..., ...)``):
    ``preset`` and ``layout`` (with CPRAformer's defaults) and every other
    argument of :data:`NETWORK_ARGUMENTS` it sets, so that
    :func:`generator_config_from_meta` rebuilds the same network."""
    meta = {name: generator.get(name, _CPRAFORMER_PARAMETERS[name].default)
            for name in ('preset', 'layout')}
    meta.update({k: v for k, v in generator.items() if k in NETWORK_ARGUMENTS})
    return meta


def generator_config_from_meta(meta: Optional[Mapping[str, Any]],
                               source: Union[str, Path]) -> Dict[str, Any]:
    """The network's config from a checkpoint's ``meta`` (``preset`` and,
    optionally, ``layout`` and the arguments of :data:`NETWORK_ARGUMENTS`
    of :class:`~cpra_mm.models.CPRAformer`, as :func:`generator_meta`
    writes them).

    Raises:
        ValueError: no ``meta['preset']``; the message asks for a config.
    """
    if meta is None or 'preset' not in meta:
        raise ValueError(f'checkpoint {source} has no meta preset to build the network from; '
                         'pass the config it was trained with')
    generator = dict(type='CPRAformer', preset=meta['preset'])
    generator.update({k: meta[k] for k in ('layout', *NETWORK_ARGUMENTS) if k in meta})
    return generator


def build_generator(generator: Mapping[str, Any]) -> nn.Module:
    """Instantiate the network described by ``generator``
    (``dict(type='CPRAformer', preset=..., ...)``).

    Raises:
        ValueError: an unknown ``type`` or arguments the class rejects.
    """
    kwargs = dict(generator)
    kind = kwargs.pop('type', 'CPRAformer')
    if isinstance(kind, str):
        name = kind.rsplit('.', 1)[-1]
        cls = MODELS.module_dict.get(name)
        if cls is None:
            raise ValueError(f'generator type {kind!r} is not a cpra_mm network; known: '
                             f'{sorted(MODELS.module_dict)}')
    else:
        cls = kind
    try:
        network = cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise ValueError(f'cannot build {getattr(cls, "__name__", cls)} from {dict(generator)}: '
                         f'{error}') from error
    if not isinstance(network, nn.Module):
        raise ValueError(f'generator type {kind!r} built a {type(network).__name__}, '
                         'not a torch.nn.Module')
    return network

