"""Shims that let the pinned OpenMMLab stack run on torch >= 2.6.

Each shim is applied once, at ``import cpra_mm``, and names the upstream
problem it works around. None of them changes behaviour beyond that problem.
"""
import importlib

import numpy as np
import torch


def mmengine_checkpoint_globals() -> list:
    """The non-tensor types that mmengine 0.10.7 Runner checkpoints contain.

    ``message_hub`` holds :class:`mmengine.logging.HistoryBuffer` objects
    whose state is numpy arrays and scalars; numpy pickles those through
    ``_reconstruct``, ``ndarray``, ``dtype`` (with its per-type classes in
    ``numpy.dtypes``) and ``scalar``. numpy 1 names the module of the first
    and the last ``numpy.core.multiarray``, numpy 2 ``numpy._core.multiarray``;
    both names are allowed, so checkpoints written under either load.
    """
    from mmengine.logging import HistoryBuffer

    if np.lib.NumpyVersion(np.__version__) >= '2.0.0':
        multiarray = importlib.import_module('numpy._core.multiarray')
    else:
        multiarray = np.core.multiarray
    dtype_classes = [getattr(np.dtypes, name) for name in dir(np.dtypes)
                     if name.endswith('DType') and isinstance(getattr(np.dtypes, name), type)]
    pickled_functions = [(getattr(multiarray, name), f'{module}.{name}')
                         for module in ('numpy.core.multiarray', 'numpy._core.multiarray')
                         for name in ('_reconstruct', 'scalar')]
    return [HistoryBuffer, *pickled_functions, np.ndarray, np.dtype, *dtype_classes,
            (history_buffer_statistic, 'builtins.getattr')]


def history_buffer_statistic(owner: type, name: str):
    """The one use of ``getattr`` in mmengine checkpoints, and no other.

    ``HistoryBuffer._statistics_methods`` maps names to its own functions,
    which pickle as ``getattr(HistoryBuffer, 'mean')``. Allowing the builtin
    ``getattr`` would let a crafted checkpoint reach any attribute of any
    allowed object; this stand-in resolves only HistoryBuffer's statistics.
    """
    from mmengine.logging import HistoryBuffer

    if owner is not HistoryBuffer or name not in ('min', 'max', 'current', 'mean'):
        raise RuntimeError(f'checkpoint asks for getattr({owner!r}, {name!r}); only '
                           'HistoryBuffer statistics are allowed')
    return getattr(HistoryBuffer, name)


def allow_mmengine_checkpoints() -> None:
    """torch >= 2.6 loads with ``weights_only=True`` by default, which rejects
    mmengine 0.10.7's own checkpoints ("Weights only load failed ...
    Unsupported global: mmengine.logging.history_buffer.HistoryBuffer"), so
    ``resume=True`` and ``load_from`` fail (fixed only on mmengine's
    unreleased main, open-mmlab/mmengine#1592). Allow-list exactly the types
    those checkpoints contain instead of disabling the check."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(mmengine_checkpoint_globals())


def apply() -> None:
    """Apply every shim; safe to call more than once."""
    allow_mmengine_checkpoints()
