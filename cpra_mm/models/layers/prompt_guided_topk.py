"""EPGO: the efficient prompt guide operator that picks how many channel
affinities each attention row keeps."""
import torch
from torch import nn

from .pointwise_conv import pointwise_conv

TOPK_ESTIMATORS = ('truncate', 'straight_through')


class PromptGuidedTopK(nn.Module):
    """Predict, per image, how many of the ``c`` logits of each attention row
    to keep, and apply the resulting top-K softmax.

    A per-pixel gate ``sigmoid(conv1x1(relu(conv1x1(z))))`` in [0, 1] is
    averaged over each image; ``K = c * mean(gate)`` is rounded down and
    clamped to [1, c] for each image separately, so an image's output does
    not depend on its batch and no row is left without a logit.

    ``estimator`` says how the rounding is differentiated: ``'truncate'``
    (the reference code's: K has no gradient, the gate never learns) or
    ``'straight_through'`` (the same hard top-K forward; backward through a
    rank relaxation of the keep-mask, so the gate learns). See
    ``docs/architecture.md``, defects B1, B3 and B4.

    Args:
        channels: channels of the prompt features ``z`` (C/2 of the block).
        estimator: ``'truncate'`` or ``'straight_through'``.
        tau: temperature of the rank relaxation (straight-through only).

    Shapes:
        ``gate_mean(z)``: ``z`` is ``B x channels x H x W``; returns the mean
        gate of each image, a ``B`` tensor in [0, 1] (K divided by c).
        ``forward(logits, gate_mean)``: logits ``B x heads x c x c``;
        returns probabilities of the same shape (rows sum to 1).

    Raises:
        ValueError: an unknown ``estimator``.
    """

    def __init__(self, channels: int, estimator: str = 'truncate', tau: float = 1.0) -> None:
        super().__init__()
        if estimator not in TOPK_ESTIMATORS:
            raise ValueError(f'estimator must be one of {TOPK_ESTIMATORS}, got {estimator!r}')
        hidden = max(1, channels // 2)
        self.reduce = nn.Conv2d(channels, hidden, kernel_size=1)
        self.act = nn.ReLU()
        self.expand = nn.Conv2d(hidden, 1, kernel_size=1)
        self.estimator = estimator
        self.tau = tau

    def gate_mean(self, z: torch.Tensor) -> torch.Tensor:
        """Mean gate of each image: ``B x C x H x W`` -> ``B`` in [0, 1]."""
        gate = torch.sigmoid(pointwise_conv(self.act(pointwise_conv(z, self.reduce)), self.expand))
        return gate.float().mean(dim=(1, 2, 3))

    def forward(self, logits: torch.Tensor, gate_mean: torch.Tensor) -> torch.Tensor:
        batch, _, _, c = logits.shape
        k_real = gate_mean * c
        k = k_real.detach().floor().clamp(1, c).long()
        ordered = logits.sort(dim=-1, descending=True).values
        kth = ordered.gather(-1, (k - 1).view(batch, 1, 1, 1).expand(*logits.shape[:-1], 1))
        keep = logits >= kth
        if self.estimator == 'truncate' or not torch.is_grad_enabled():
            return logits.masked_fill(~keep, float('-inf')).softmax(dim=-1)
        ranks = logits.argsort(dim=-1, descending=True).argsort(dim=-1)
        relaxed = torch.sigmoid((k_real.view(batch, 1, 1, 1) - ranks - 0.5) / self.tau)
        mask = keep.to(relaxed.dtype) + relaxed - relaxed.detach()
        weights = torch.exp(logits - ordered[..., :1]) * mask
        return weights / weights.sum(dim=-1, keepdim=True)
