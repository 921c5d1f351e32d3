"""Choice of normalisation inside the alignment gates."""
from torch import nn

from .channel_layer_norm import ChannelLayerNorm

GATE_NORMS = ('batch', 'layer', 'none')


def build_gate_norm(kind: str, channels: int) -> nn.Module:
    """Build the normalisation used inside an alignment gate.

    Args:
        kind: ``'batch'`` (the reference code's BatchNorm2d: batch statistics
            in training, which fails for a single image and couples images;
            ``docs/architecture.md``, B6), ``'layer'``
            (:class:`ChannelLayerNorm`, per image and pixel) or ``'none'``.
        channels: channels to normalise.

    Returns:
        The normalisation module (``B x channels x H x W`` to the same).

    Raises:
        ValueError: an unknown ``kind``.
    """
    if kind == 'batch':
        return nn.BatchNorm2d(channels)
    if kind == 'layer':
        return ChannelLayerNorm(channels)
    if kind == 'none':
        return nn.Identity()
    raise ValueError(f'gate_norm must be one of {GATE_NORMS}, got {kind!r}')
