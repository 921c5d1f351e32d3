"""Local mean loss: Charbonnier distance between block averages."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .weighted_reduction import check_cells, check_image_pair, check_reduction, weighted_reduce


class LocalMeanLoss(nn.Module):
    """Charbonnier distance between the ``block x block`` averages of
    prediction and target: it sees local brightness and colour, not detail.

    ``loss = loss_weight * reduce(sqrt((B(pred) - B(target))**2 + eps**2))``
    where ``B`` averages non-overlapping ``block x block`` cells (a last,
    partial row or column of cells averages the pixels it has). A derainer
    that removes a little too much everywhere (a darker, greyer output) is
    caught here even when a pixel loss weighted toward the streaks
    (:func:`cpra_mm.losses.rain_residual_weight`) finds it cheap; a streak
    removed exactly leaves its cell's average right, so this term does not
    fight the removal. Identical inputs give ``loss_weight * eps``.

    Args:
        block: side of the averaged cells in pixels, ``>= 1`` (1 is a plain
            Charbonnier loss).
        loss_weight: factor on the loss.
        eps: Charbonnier smoothing, ``> 0``.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Shapes:
        ``pred``, ``target``: ``N x C x H x W``, typically in [0, 1];
        ``weight``: broadcastable to the cell grid
        ``N x C x ceil(H / block) x ceil(W / block)`` (e.g. per-sample
        ``N x 1 x 1 x 1``); output: a scalar, or the cell grid with
        ``reduction='none'``.
    """

    def __init__(self, block: int = 8, loss_weight: float = 1.0, eps: float = 1e-3,
                 reduction: str = 'mean') -> None:
        super().__init__()
        check_cells(block, eps)
        self.block = block
        self.loss_weight = loss_weight
        self.eps = eps
        self.reduction = check_reduction(reduction)

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Compute the weighted, reduced loss (see the class docstring)."""
        check_image_pair(pred, target)
        diff = block_means(pred - target, self.block)
        loss = torch.sqrt(diff * diff + self.eps**2)
        return self.loss_weight * weighted_reduce(loss, weight, self.reduction)

    def extra_repr(self) -> str:
        return (f'block={self.block}, loss_weight={self.loss_weight}, eps={self.eps}, '
                f'reduction={self.reduction!r}')


def block_means(images: torch.Tensor, block: int) -> torch.Tensor:
    """Average non-overlapping ``block x block`` cells.

    Args:
        images: ``N x C x H x W``, any value range.
        block: cell side in pixels, ``>= 1``.

    Returns:
        ``N x C x ceil(H / block) x ceil(W / block)``; a partial cell at the
        bottom or right edge averages only the pixels it covers.
    """
    return F.avg_pool2d(images, block, ceil_mode=True)
