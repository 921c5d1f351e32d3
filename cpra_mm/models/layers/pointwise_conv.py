"""1x1 convolutions as matrix products over channels-last pixels."""
from typing import Optional

import torch
from torch import nn

from .onednn_fusion import linear


def pointwise_conv(x: torch.Tensor, conv: nn.Conv2d,
                   residual: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``conv(x)`` (plus ``residual``) for a 1x1, stride-1, ungrouped ``conv``.

    The network stores feature maps channels-last, where a 1x1 convolution is
    one matrix product of the ``(B*H*W) x C`` pixel matrix by the weight; this
    computes it so, without the layout copies (and, on one CPU thread, the
    slow non-oneDNN kernel) of ``nn.Conv2d``, and adds ``residual`` inside
    the product (oneDNN's fused addition in CPU inference,
    :func:`.onednn_fusion.linear`; ``addmm``'s accumulation otherwise)
    instead of in another pass. Results equal ``conv(x) + residual`` up to
    float rounding.

    Args:
        x: ``B x C_in x H x W`` (any memory format; channels-last avoids a
            copy).
        conv: the 1x1 convolution whose parameters are used.
        residual: ``B x C_out x H x W`` or None.

    Returns:
        ``B x C_out x H x W``, channels-last.
    """
    shortcut = None if residual is None else residual.permute(0, 2, 3, 1)
    return linear(x.permute(0, 2, 3, 1), conv.weight.flatten(1), conv.bias,
                  shortcut).permute(0, 3, 1, 2)
