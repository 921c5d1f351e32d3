"""Texture energy loss: L1 distance between the local energy of fine
detail."""
from typing import Optional

import torch
from torch import nn

from .laplacian_edge_loss import binomial_kernel, gaussian_blur
from .local_mean_loss import block_means
from .weighted_reduction import check_cells, check_image_pair, check_reduction, weighted_reduce


def texture_energy(images: torch.Tensor, kernel: torch.Tensor, block: int,
                   eps: float) -> torch.Tensor:
    """Root-mean-square fine detail of every ``block x block`` cell.

    Fine detail is the image minus its blur with ``kernel`` (the 5 x 5
    binomial blur of :func:`~cpra_mm.losses.gaussian_blur`: what lies
    above about a third of the sampling frequency).

    Args:
        images: ``N x C x H x W``, any value range.
        kernel: ``k x k`` blur kernel, same dtype and device as ``images``.
        block: cell side in pixels, ``>= 1``.
        eps: added (squared) under the root so the gradient stays finite on
            flat cells, ``> 0``.

    Returns:
        ``N x C x ceil(H / block) x ceil(W / block)``, ``>= eps``, in the
        units of ``images``.
    """
    detail = images - gaussian_blur(images, kernel)
    return torch.sqrt(block_means(detail * detail, block) + eps**2)


class TextureEnergyLoss(nn.Module):
    """L1 distance between the fine-detail energy of prediction and target,
    cell by cell: it asks for as much texture as the target has, wherever
    it lies within the cell.

    ``loss = loss_weight * reduce(|E(pred) - E(target)|)`` with ``E``
    :func:`texture_energy`. A pixel loss alone lets a derainer that cannot
    tell the texture under a streak paint the mean there, a smooth patch;
    this term charges for the missing detail (and for detail left over,
    such as rain residue) without asking for each pixel's exact value, so a
    clean-trained detector or segmenter that keys on texture sees the
    texture it was trained on. Identical inputs give 0.

    Args:
        block: side of the cells in pixels, ``>= 1``.
        loss_weight: factor on the loss.
        eps: see :func:`texture_energy`, ``> 0``.
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
        self.register_buffer('kernel', binomial_kernel(), persistent=False)

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Compute the weighted, reduced loss (see the class docstring)."""
        check_image_pair(pred, target)
        kernel = self.kernel.to(pred.dtype)
        loss = (texture_energy(pred, kernel, self.block, self.eps) -
                texture_energy(target, kernel, self.block, self.eps)).abs()
        return self.loss_weight * weighted_reduce(loss, weight, self.reduction)

    def extra_repr(self) -> str:
        return (f'block={self.block}, loss_weight={self.loss_weight}, eps={self.eps}, '
                f'reduction={self.reduction!r}')
