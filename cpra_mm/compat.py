"""Shims that let the pinned OpenMMLab stack run on numpy 2 and torch >= 2.6.

Each shim is applied once, at ``import cpra_mm``, and names the upstream
problem it works around. None of them changes behaviour beyond that problem.
"""
import numpy as np
import torch


def alias_numpy_bool8() -> None:
    """numpy 2 removed ``np.bool8``; ``mmagic.utils`` (1.2.0) still uses it at
    import (open-mmlab/mmagic, ``mmagic/utils/typing.py``; numpy 2.0 release
    notes: "np.bool8 ... removed, use np.bool_"). Restore the alias."""
    if not hasattr(np, 'bool8'):
        np.bool8 = np.bool_


def mmengine_checkpoint_globals() -> list:
    """The non-tensor types that mmengine 0.10.7 Runner checkpoints contain.

    ``message_hub`` holds :class:`mmengine.logging.HistoryBuffer` objects
    whose state is numpy arrays and scalars; numpy pickles those through
    ``_reconstruct``, ``ndarray``, ``dtype`` (with its per-type classes in
    ``numpy.dtypes``) and ``scalar``.
    """
    from mmengine.logging import HistoryBuffer

    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtype_classes = [getattr(np.dtypes, name) for name in dir(np.dtypes)
                     if name.endswith('DType') and isinstance(getattr(np.dtypes, name), type)]
    return [HistoryBuffer, multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype,
            *dtype_classes, (history_buffer_statistic, 'builtins.getattr')]


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
    alias_numpy_bool8()
    allow_mmengine_checkpoints()
