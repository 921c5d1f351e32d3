"""Training losses of cpra_mm, in plain PyTorch (no OpenMMLab import).

They follow MMagic's loss convention, ``forward(pred, target, weight=None)``;
:mod:`cpra_mm.registration` registers them.
"""
from .fft_loss import FFTLoss
from .laplacian_edge_loss import LaplacianEdgeLoss, gaussian_blur, laplacian_response
from .local_mean_loss import LocalMeanLoss, block_means
from .rain_residual_weight import over_removal_weight, rain_residual_weight
from .texture_energy_loss import TextureEnergyLoss, texture_energy

__all__ = [
    'FFTLoss', 'LaplacianEdgeLoss', 'LocalMeanLoss', 'block_means', 'gaussian_blur',
    'laplacian_response', 'over_removal_weight', 'rain_residual_weight', 'TextureEnergyLoss',
    'texture_energy'
]
