"""Fused oneDNN CPU kernels for inference: a convolution or a matrix
product together with the GELU, bias or residual addition that follows it.

On CPU the network is memory-bound: a separate GELU or addition reads and
writes a whole feature map again, and ATen's erf GELU is slow (it costs
more than the 1x1 convolution before it). oneDNN applies such an operation
to each output tile while it is still in cache (a "post-op"). PyTorch exposes
these kernels as ``torch.ops.mkldnn._convolution_pointwise`` and
``torch.ops.mkldnn._linear_pointwise``; the functions here call them where
:func:`fused_dtype` allows (CPU inference in float32, or under bfloat16
autocast) and the plain ATen ops otherwise, with equal results up to
rounding.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn


def _fused_ops_present() -> bool:
    try:
        torch.ops.mkldnn._convolution_pointwise  # noqa: B018  (raises if absent)
        torch.ops.mkldnn._linear_pointwise  # noqa: B018
    except (AttributeError, RuntimeError):
        return False
    return torch.backends.mkldnn.is_available()


FUSED_OPS_PRESENT = _fused_ops_present()
"""Whether this PyTorch build has oneDNN and its fused pointwise ops."""


def _fused_bfloat16_supported() -> bool:
    if not FUSED_OPS_PRESENT:
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


FUSED_BFLOAT16_SUPPORTED = _fused_bfloat16_supported()
"""Whether this CPU runs oneDNN's bfloat16 kernels (AVX512-BF16, AMX and
the like); elsewhere oneDNN cannot create them ("could not create a
primitive descriptor"), and bfloat16 autocast takes the plain ops."""


def eager_cpu_inference(x: torch.Tensor) -> bool:
    """True for a CPU tensor when no gradient is recorded and no
    ``torch.compile``, tracing or ONNX export is in progress: where the
    network may take paths of its own (fused kernels, row bands) that a
    compiler, a tracer or autograd should not see."""
    return (x.device.type == 'cpu' and not torch.is_grad_enabled()
            and not torch.compiler.is_compiling() and not torch.jit.is_tracing()
            and not torch.onnx.is_in_onnx_export())


def fused_dtype(x: torch.Tensor) -> Optional[torch.dtype]:
    """The type the fused kernels compute in for ``x``, or None where they
    may not replace the plain ops.

    They apply to CPU tensors with no gradient being recorded (the fused ops
    have no backward) and no ``torch.compile``, tracing or ONNX export in
    progress (those see the plain ops, which they fuse or export
    themselves); they compute in float32 for float32 tensors, and in
    bfloat16 under bfloat16 autocast (as the plain ops would: operands and
    result in bfloat16) where the CPU has oneDNN's bfloat16 kernels
    (:data:`FUSED_BFLOAT16_SUPPORTED`). Under any other autocast, or for
    other types, the plain ops run.
    """
    if not FUSED_OPS_PRESENT or not eager_cpu_inference(x):
        return None
    if torch.is_autocast_enabled('cpu'):
        bfloat16 = torch.get_autocast_dtype('cpu') == torch.bfloat16
        return torch.bfloat16 if bfloat16 and FUSED_BFLOAT16_SUPPORTED else None
    return torch.float32 if x.dtype == torch.float32 else None


def onednn_fusable(x: torch.Tensor) -> bool:
    """True where the fused kernels replace the plain ops for ``x``
    (:func:`fused_dtype` is not None)."""
    return fused_dtype(x) is not None


def _cast(dtype: torch.dtype, *tensors: Optional[torch.Tensor]) -> list:
    return [t if t is None else t.to(dtype) for t in tensors]


def _conv_arguments(conv: nn.Conv2d, dtype: torch.dtype) -> tuple:
    return (*_cast(dtype, conv.weight, conv.bias), list(conv.padding), list(conv.stride),
            list(conv.dilation), conv.groups)


def conv_gelu(x: torch.Tensor, conv: nn.Conv2d) -> torch.Tensor:
    """``GELU(conv(x))`` (erf form) for a zero-padded ``conv``.

    Shapes:
        ``x``: ``B x C_in x H x W``; returns ``B x C_out x H' x W'`` (the
        fused path returns ``x``'s memory format).
    """
    dtype = fused_dtype(x)
    if dtype is None or conv.padding_mode != 'zeros':
        return F.gelu(conv(x))
    return torch.ops.mkldnn._convolution_pointwise(x.to(dtype), *_conv_arguments(conv, dtype),
                                                   'gelu', [], 'none')


def linear_gelu(x: torch.Tensor, weight: torch.Tensor,
                bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``GELU(F.linear(x, weight, bias))`` (erf form).

    Shapes:
        ``x``: ``... x K``, ``weight``: ``N x K``, ``bias``: ``N``; returns
        ``... x N``.
    """
    dtype = fused_dtype(x)
    if dtype is None:
        return F.gelu(F.linear(x, weight, bias))
    return torch.ops.mkldnn._linear_pointwise(*_cast(dtype, x, weight, bias), 'gelu', [], 'none')


def linear(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
           residual: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear(x, weight, bias)`` plus ``residual`` (if given).

    The fused path adds the bias and the residual inside the product (ATen's
    ``addmm`` first copies the broadcast bias into the output); otherwise
    the residual is ``addmm``'s accumulator, not a further pass.

    Shapes:
        ``x``: ``... x K``, ``weight``: ``N x K``, ``bias``: ``N``,
        ``residual``: ``... x N``; returns ``... x N``.
    """
    dtype = fused_dtype(x)
    if dtype is None:
        if residual is None:
            return F.linear(x, weight, bias)
        # The residual (and bias) as the product's accumulator (addmm).
        base = residual if bias is None else residual + bias
        out = torch.addmm(base.reshape(-1, weight.shape[0]), x.reshape(-1, weight.shape[1]),
                          weight.t())
        return out.view(residual.shape)
    x, weight, bias, residual = _cast(dtype, x, weight, bias, residual)
    if residual is None:
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, 'none', [], '')
    return torch.ops.mkldnn._linear_pointwise.binary(x, residual, weight, bias, 'add')
