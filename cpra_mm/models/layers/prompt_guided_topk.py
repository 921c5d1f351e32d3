"""EPGO: the efficient prompt guide operator that picks how many channel
affinities each attention row keeps."""
import torch
from torch import nn

TOPK_ESTIMATORS = ('truncate', 'straight_through')


class PromptGuidedTopK(nn.Module):
    """Predict, per image, how many of the ``c`` logits of each attention row
    to keep, and apply the resulting top-K softmax.

    A per-pixel gate ``sigmoid(conv1x1(relu(conv1x1(z))))`` in [0, 1] is
    averaged over the image; ``K = c * mean(gate)`` (a real number in
    [0, c]) is turned into an integer count ``clamp(floor(K), 1, c)`` for each
    image separately, so an image's output never depends on the rest of its
    batch and a row can never be left with no logit (the reference code
    averages K over the batch and lets it reach 0, which yields NaN).

    Two ways to treat the non-differentiable ``floor``:

    * ``'truncate'`` (the reference behaviour): K carries no gradient, so the
      gate's parameters never learn.
    * ``'straight_through'``: the forward pass is the same exact hard top-K
      softmax, but the backward pass treats the keep-mask as the relaxation
      ``sigmoid((K - rank - 0.5) / tau)`` of each logit's rank (0 for the
      largest). The softmax is written as ``exp(l) * m / sum(exp(l) * m)``, so
      the hard mask ``m`` gives exactly the reference probabilities, while the
      relaxed mask sends to K, and through it to the gate, the gradient of
      keeping one more or one fewer logit. We chose a straight-through
      estimator over a fully soft top-K because the forward pass (and so
      inference, checkpoints and speed) stays identical to the paper's hard
      sparsity; only the gradient is approximated.

    Args:
        channels: channels of the prompt features ``z`` (C/2 of the block).
        estimator: ``'truncate'`` or ``'straight_through'``.
        tau: temperature of the rank relaxation (straight-through only).

    Shapes:
        ``gate_count(z)``: ``z`` is ``B x channels x H x W``; returns the real
        K per image as a ``B`` tensor in [0, 1] (the mean gate).
        ``forward(logits, gate_mean)``: logits ``B x heads x c x c``;
        returns probabilities of the same shape (rows sum to 1).
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
        gate = torch.sigmoid(self.expand(self.act(self.reduce(z))))
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
