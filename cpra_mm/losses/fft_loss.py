"""Frequency-domain L1 loss."""
from typing import Optional

import torch
from torch import nn

from .weighted_reduction import check_image_pair, check_reduction, weighted_reduce

FFT_NORMS = ('backward', 'ortho', 'forward')


class FFTLoss(nn.Module):
    """L1 distance between the 2-D real FFTs of prediction and target.

    ``loss = loss_weight * reduce(|Re(F(pred) - F(target))| +
    |Im(F(pred) - F(target))|)`` per spectral coefficient, where ``F`` is
    :func:`torch.fft.rfft2` over the last two dimensions (computed in float32
    or wider, so it is safe under mixed precision). ``'mean'`` averages over
    the ``2 * N * C * H * (W // 2 + 1)`` real and imaginary components.

    Args:
        loss_weight: factor on the loss.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        norm: normalisation of the FFT, as in :func:`torch.fft.rfft2`:
            ``'backward'`` (unnormalised, the reference code's choice: the
            loss grows with image size), ``'ortho'`` (scaled by
            ``1 / sqrt(H * W)``, size-independent for white-noise errors) or
            ``'forward'`` (scaled by ``1 / (H * W)``).

    Shapes:
        ``pred``, ``target``: ``N x C x H x W``, typically in [0, 1];
        ``weight``: broadcastable to the spectrum ``N x C x H x (W // 2 + 1)``
        and applied to both components of a coefficient; spatial masks have
        no meaning in the frequency domain, so use per-sample
        (``N x 1 x 1 x 1``) or per-channel (``N x C x 1 x 1``) weights.
        Output: a scalar, or ``N x C x H x (W // 2 + 1) x 2`` (real,
        imaginary) with ``reduction='none'``.
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean',
                 norm: str = 'backward') -> None:
        super().__init__()
        if norm not in FFT_NORMS:
            raise ValueError(f'norm must be one of {FFT_NORMS}, got {norm!r}')
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)
        self.norm = norm

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Compute the weighted, reduced loss (see the class docstring)."""
        check_image_pair(pred, target)
        work_dtype = torch.promote_types(pred.dtype, torch.float32)
        spectrum = torch.fft.rfft2((pred - target).to(work_dtype), norm=self.norm)
        loss = torch.view_as_real(spectrum).abs()
        if weight is not None:
            weight = weight.unsqueeze(-1)
        return self.loss_weight * weighted_reduce(loss, weight, self.reduction)

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, reduction={self.reduction!r}, '
                f'norm={self.norm!r}')
