"""The precision a derainer runs in: fp32, or bf16 / fp16 autocast where the
device has the type, with a logged fall-back to fp32 where it does not.

How far autocast outputs stray from fp32 is measured in
``docs/fast_inference.md``.
"""
import functools
import logging
import warnings
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log

PRECISIONS: Dict[str, Optional[torch.dtype]] = {
    'fp32': None,
    'bf16': torch.bfloat16,
    'fp16': torch.float16,
}
"""Precision name -> the autocast dtype (None: plain float32, no autocast)."""


def check_precision(precision: str, argument: str = 'precision') -> str:
    """Return ``precision`` if it is a key of :data:`PRECISIONS`.

    Raises:
        ValueError: naming ``argument``, for any other value.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'{argument} must be one of {list(PRECISIONS)}, got {precision!r}')
    return precision


def _native_support(device: torch.device, dtype: torch.dtype) -> bool:
    """What the device reports about computing in ``dtype`` natively (not by
    emulation): CUDA's bf16 query, oneDNN's bf16 / fp16 queries on CPUs;
    True for other devices (the trial op decides there)."""
    if device.type == 'cuda':
        if dtype == torch.bfloat16:
            return torch.cuda.is_bf16_supported(including_emulation=False)
        return True
    if device.type == 'cpu':
        if dtype == torch.bfloat16:
            return torch.ops.mkldnn._is_mkldnn_bf16_supported()
        return torch.ops.mkldnn._is_mkldnn_fp16_supported()
    return True


def _trial_op_runs(device: torch.device, dtype: torch.dtype) -> bool:
    """Whether a 3 x 3 convolution under ``torch.autocast(dtype=dtype)`` on
    ``device`` runs and computes in ``dtype`` (autocast disables itself, with
    a warning, for a dtype the device does not take)."""
    if not torch.amp.is_autocast_available(device.type):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with torch.autocast(device.type, dtype=dtype):
                out = F.conv2d(torch.ones(1, 1, 4, 4, device=device),
                               torch.ones(1, 1, 3, 3, device=device))
    except RuntimeError:
        return False
    return out.dtype == dtype and bool(torch.isfinite(out).all())


@functools.lru_cache(maxsize=None)
def _resolve(precision: str, device: torch.device) -> Optional[torch.dtype]:
    dtype = PRECISIONS[precision]
    if dtype is None or (_native_support(device, dtype) and _trial_op_runs(device, dtype)):
        return dtype
    print_log(f'{precision} autocast is not supported on device {device} (no native '
              f'{dtype} compute); running in fp32 instead', logger='current',
              level=logging.WARNING)
    return None


def autocast_dtype(precision: str, device: torch.device) -> Optional[torch.dtype]:
    """The autocast dtype to run ``precision`` with on ``device``.

    Checked once per precision and device (cached): the device must report
    native support (:func:`torch.cuda.is_bf16_supported` without emulation
    for bf16 on CUDA; oneDNN's bf16 / fp16 queries on CPUs) and a trial
    convolution under autocast must compute in the type. Where either fails,
    one warning naming the device and the type is logged and fp32 is used.

    Args:
        precision: a key of :data:`PRECISIONS`.
        device: where the network runs (an index-less ``cuda`` means the
            current CUDA device).

    Returns:
        ``torch.bfloat16`` or ``torch.float16`` for autocast; None for fp32
        (asked for, or the fall-back).

    Raises:
        ValueError: an unknown ``precision``.
    """
    check_precision(precision)
    device = torch.device(device)
    if device.type == 'cuda' and device.index is None:
        device = torch.device('cuda', torch.cuda.current_device())
    return _resolve(precision, device)
