"""Laplacian edge loss: Charbonnier distance between band-pass responses."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .weighted_reduction import check_image_pair, check_reduction, weighted_reduce

BINOMIAL_TAPS = (0.05, 0.25, 0.4, 0.25, 0.05)
"""1-D taps of the 5 x 5 separable Gaussian-like blur (they sum to 1)."""


def binomial_kernel() -> torch.Tensor:
    """The ``5 x 5`` float64 kernel of :data:`BINOMIAL_TAPS` (their outer
    product; it sums to 1)."""
    taps = torch.tensor(BINOMIAL_TAPS, dtype=torch.float64)
    return torch.outer(taps, taps)


def gaussian_blur(images: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Blur every channel with a 2-D kernel, replicating the borders.

    Args:
        images: ``N x C x H x W``, any value range.
        kernel: ``k x k`` (odd ``k``), same dtype and device as ``images``.

    Returns:
        ``N x C x H x W``.
    """
    channels = images.shape[1]
    pad = kernel.shape[-1] // 2
    weight = kernel.expand(channels, 1, *kernel.shape)
    padded = F.pad(images, (pad, pad, pad, pad), mode='replicate')
    return F.conv2d(padded, weight, groups=channels)


def laplacian_response(images: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """One level of a Laplacian pyramid (difference of Gaussians).

    The blurred image is decimated by 2, re-expanded by zero insertion (the
    kept samples scaled by 4 to preserve the mean), blurred again and
    subtracted from the input, leaving its band-pass (edge) content.

    Args:
        images: ``N x C x H x W``, any ``H, W >= 1``, any value range.
        kernel: ``k x k`` blur kernel (see :func:`gaussian_blur`).

    Returns:
        ``N x C x H x W``: ``images - blur(expand(decimate(blur(images))))``.
    """
    blurred = gaussian_blur(images, kernel)
    expanded = torch.zeros_like(blurred)
    expanded[..., ::2, ::2] = 4 * blurred[..., ::2, ::2]
    return images - gaussian_blur(expanded, kernel)


class LaplacianEdgeLoss(nn.Module):
    """Charbonnier distance between Laplacian responses of prediction and
    target, the edge term of the CPRAformer (and MPRNet) training loss.

    ``loss = loss_weight * reduce(sqrt((L(pred) - L(target))**2 + eps**2))``
    with ``L`` :func:`laplacian_response` (5 x 5 blur with taps
    :data:`BINOMIAL_TAPS`, replicated borders). Note ``eps`` enters squared,
    as in the reference training code; identical inputs therefore give
    ``loss_weight * eps``, the floor of the Charbonnier function.

    Args:
        loss_weight: factor on the loss (0.05 in the paper's protocol).
        eps: Charbonnier smoothing, > 0 (1e-3 in the reference code).
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Shapes:
        ``pred``, ``target``: ``N x C x H x W`` (any ``C``), typically in
        [0, 1]; ``weight``: broadcastable to ``N x C x H x W``; output: a
        scalar, or ``N x C x H x W`` with ``reduction='none'``.
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-3,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if eps <= 0:
            raise ValueError(f'eps must be > 0, got {eps}')
        self.loss_weight = loss_weight
        self.eps = eps
        self.reduction = check_reduction(reduction)
        self.register_buffer('kernel', binomial_kernel(), persistent=False)

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Compute the weighted, reduced loss (see the class docstring)."""
        check_image_pair(pred, target)
        kernel = self.kernel.to(pred.dtype)
        diff = laplacian_response(pred, kernel) - laplacian_response(target, kernel)
        loss = torch.sqrt(diff * diff + self.eps**2)
        return self.loss_weight * weighted_reduce(loss, weight, self.reduction)

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}, eps={self.eps}, reduction={self.reduction!r}'
