"""Per-pixel loss weights that put more of the loss where rain was drawn."""
import torch


def rain_residual_weight(rainy: torch.Tensor,
                         clean: torch.Tensor,
                         emphasis: float,
                         saturation: float) -> torch.Tensor:
    """Weight each pixel by how much the rain changed it.

    ``w = 1 + emphasis * min(1, max_c |rainy - clean| / saturation)``: 1 on
    pixels the rain left alone (and everywhere on a dry sample, whose input
    is its target), ``1 + emphasis`` where the rain moved some channel by
    ``saturation`` or more, in between for faint streak edges. A pixel loss
    reduced with these weights (``sum(w * loss) / sum(w)``) spends more of
    its gradient on the streaks a network leaves half removed, which a plain
    mean dilutes among the many pixels no rain touched.

    Args:
        rainy: ``N x C x H x W`` network inputs.
        clean: ``N x C x H x W`` targets, same value range as ``rainy``
            ([0, 1] in this project's configs).
        emphasis: extra weight of a fully rain-covered pixel, ``>= 0``
            (0 gives uniform weights).
        saturation: change, in the images' units, at which a pixel counts
            as fully covered, ``> 0``.

    Returns:
        ``N x 1 x H x W`` weights in ``[1, 1 + emphasis]``, without gradient.
    """
    if rainy.shape != clean.shape or rainy.dim() != 4:
        raise ValueError('rainy and clean must both be N x C x H x W tensors of one shape, '
                         f'got {tuple(rainy.shape)} and {tuple(clean.shape)}')
    return 1.0 + emphasis * rain_coverage(rainy, clean, emphasis, saturation, 'emphasis')


def over_removal_weight(pred: torch.Tensor,
                        rainy: torch.Tensor,
                        clean: torch.Tensor,
                        factor: float,
                        saturation: float) -> torch.Tensor:
    """Weight rain-covered pixel channels more where the prediction falls
    below the target: where the rain was taken out with some of the scene.

    ``w = 1 + factor * min(1, max_c |rainy - clean| / saturation)`` on each
    channel whose prediction is below its target, 1 elsewhere. An L1-like
    loss predicts the median of what a streak might hide; when the streak's
    strength is uncertain that median leaves dark traces along removed
    streaks, which look like edges to a detector or segmenter. Multiplied
    into :func:`rain_residual_weight`, this makes those traces cost more
    than the faint bright residue of a streak removed too little.

    Args:
        pred: ``N x C x H x W`` network outputs.
        rainy: ``N x C x H x W`` network inputs.
        clean: ``N x C x H x W`` targets, same value range as ``rainy``.
        factor: extra weight of an over-removed, fully rain-covered pixel,
            ``>= 0`` (0 gives uniform weights).
        saturation: change at which a pixel counts as fully covered,
            ``> 0``, as for :func:`rain_residual_weight`.

    Returns:
        ``N x C x H x W`` weights in ``[1, 1 + factor]``, without gradient.
    """
    if not (pred.shape == rainy.shape == clean.shape) or pred.dim() != 4:
        raise ValueError('pred, rainy and clean must be N x C x H x W tensors of one shape, got '
                         f'{tuple(pred.shape)}, {tuple(rainy.shape)} and {tuple(clean.shape)}')
    coverage = rain_coverage(rainy, clean, factor, saturation, 'factor')
    return 1.0 + factor * coverage * (pred.detach() < clean).to(coverage.dtype)


def rain_coverage(rainy: torch.Tensor, clean: torch.Tensor, strength: float,
                  saturation: float, strength_name: str) -> torch.Tensor:
    """``min(1, max_c |rainy - clean| / saturation)``, ``N x 1 x H x W``
    in [0, 1] without gradient, after checking the weight's ``strength``
    (``>= 0``, named ``strength_name`` in the error) and ``saturation``
    (``> 0``)."""
    if not strength >= 0:
        raise ValueError(f'{strength_name} must be >= 0, got {strength!r}')
    if not saturation > 0:
        raise ValueError(f'saturation must be > 0, got {saturation!r}')
    with torch.no_grad():
        return ((rainy - clean).abs().amax(dim=1, keepdim=True) / saturation).clamp(max=1.0)
