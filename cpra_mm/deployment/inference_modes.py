"""The ways a deraining network can run at inference, by name: what
``tools/benchmark_model.py`` times and ``tools/analysis/fast_mode_fidelity.py``
compares with eager fp32."""
from typing import Callable

import torch
from torch import nn

from cpra_mm.utils.fast_forward import FastForward

INFERENCE_MODES = ('eager', 'bf16', 'fp16', 'compile', 'compile+bf16', 'onnxruntime')
"""eager fp32; bf16 or fp16 autocast; ``torch.compile`` (inductor); compile
with bf16 autocast; the network exported to ONNX and run by onnxruntime's
CPU provider (fp32, as many intra-op threads as torch uses)."""


def network_in_mode(network: nn.Module, mode: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """``network`` run in ``mode``: through
    :class:`~cpra_mm.utils.fast_forward.FastForward`, as the derain APIs and
    the chains' data preprocessors run it, or exported to onnxruntime
    (:func:`~cpra_mm.deployment.onnx_runtime.onnxruntime_derainer`).

    Args:
        network: float32 deraining network in eval mode, ``B x 3 x H x W``
            in [0, 1] to the same.
        mode: one of :data:`INFERENCE_MODES`.

    Returns:
        A callable from ``B x 3 x H x W`` float images in [0, 1] to the
        derained float32 batch (call it under ``torch.no_grad()``).

    Raises:
        ValueError: an unknown ``mode``.
    """
    if mode not in INFERENCE_MODES:
        raise ValueError(f'mode must be one of {INFERENCE_MODES}, got {mode!r}')
    if mode == 'onnxruntime':
        from .onnx_runtime import onnxruntime_derainer
        return onnxruntime_derainer(network, threads=torch.get_num_threads())
    precision = next((name for name in ('bf16', 'fp16') if name in mode), 'fp32')
    return FastForward(network, precision=precision, compile='compile' in mode)
