"""Element-wise weighting and reduction shared by cpra_mm's losses."""
from typing import Optional

import torch

REDUCTIONS = ('none', 'mean', 'sum')


def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of :data:`REDUCTIONS`, else raise."""
    if reduction not in REDUCTIONS:
        raise ValueError(f'reduction must be one of {REDUCTIONS}, got {reduction!r}')
    return reduction


def check_image_pair(pred: torch.Tensor, target: torch.Tensor) -> None:
    """Raise unless ``pred`` and ``target`` are both ``N x C x H x W`` of one
    shape."""
    if pred.shape != target.shape or pred.dim() != 4:
        raise ValueError('pred and target must both be N x C x H x W, got '
                         f'{tuple(pred.shape)} and {tuple(target.shape)}')


def check_cells(block: int, eps: float) -> None:
    """Raise unless ``block`` (a cell side) is an integer ``>= 1`` and
    ``eps`` is ``> 0``."""
    if not (isinstance(block, int) and block >= 1):
        raise ValueError(f'block must be an integer >= 1, got {block!r}')
    if not eps > 0:
        raise ValueError(f'eps must be > 0, got {eps!r}')


def weighted_reduce(loss: torch.Tensor,
                    weight: Optional[torch.Tensor] = None,
                    reduction: str = 'mean') -> torch.Tensor:
    """Weight an element-wise loss and reduce it.

    Args:
        loss: element-wise loss, any shape (``N x C x H x W`` for images).
        weight: optional non-negative weights broadcastable to ``loss``
            (e.g. ``N x 1 x H x W`` masks or ``N x 1 x 1 x 1`` per-sample
            weights).
        reduction: ``'none'`` (weighted element-wise loss, same shape as
            ``loss``), ``'sum'`` (sum of the weighted loss) or ``'mean'``
            (without weights the plain mean; with weights the weighted mean
            ``sum(w * loss) / sum(w)``, ``w`` broadcast to ``loss``'s shape).

    Returns:
        A scalar for ``'mean'`` and ``'sum'``, else a tensor shaped as
        ``loss``.
    """
    check_reduction(reduction)
    if weight is not None:
        weight = weight.to(loss.dtype).expand_as(loss)
        loss = loss * weight
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    if weight is None:
        return loss.mean()
    return loss.sum() / weight.sum().clamp_min(torch.finfo(loss.dtype).tiny)
