"""Export a deraining network to ONNX with dynamic batch, height and width.

The TorchScript-based exporter is used (``torch.onnx.export(...,
dynamo=False)``): the dynamo-based one needs ``onnxscript``, which the
pinned stack does not install. Two things make the traced graph take any
size:

* :class:`PaddedForExport` pads the input to a multiple of
  :data:`~cpra_mm.models.cpraformer.SIZE_MULTIPLE` (8) with ops computed from
  the runtime size. CPRAformer pads inside ``forward`` only when the size is
  not a multiple of 8, a Python branch the tracer would freeze at the
  sample's size; after the wrapper's padding it never pads again.
* :func:`dft_as_matmul` switches the corrected layout's
  :class:`~cpra_mm.models.layers.SpectralFilter` to DFT matrices built from
  the runtime size (ONNX export has no ``rfft2``); the eager network is
  restored on exit.

The exported graph takes ``N x 3 x H x W`` float32 RGB in [0, 1] with
``H, W >= 8`` (reflection padding of up to 7 pixels needs 8; the eager
network also takes smaller images, by replication) and returns the same
shape in [0, 1]. Parity with PyTorch: ``tests/test_onnx_export.py``
(max abs difference <= 1e-4).
"""
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from cpra_mm.models.cpraformer import SIZE_MULTIPLE
from cpra_mm.models.layers import SpectralFilter

ONNX_OPSET = 17
"""The ONNX opset of the export (onnxruntime 1.16 and later run it)."""

INPUT_NAME = 'image'
OUTPUT_NAME = 'derained'
DYNAMIC_AXES = {0: 'batch', 2: 'height', 3: 'width'}
MIN_SIDE = SIZE_MULTIPLE
"""Smallest height and width the exported graph takes."""


class PaddedForExport(nn.Module):
    """``network`` with the padding to a multiple of 8 (reflection) and the
    crop back written as traceable ops on the runtime size.

    Args:
        network: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same; it
            is used as is (its eval mode is the caller's).

    Shapes:
        input ``B x 3 x H x W`` float, ``H, W >= 8``; output the same shape.
    """

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        h, w = images.shape[-2:]
        padded = F.pad(images, (0, (-w) % SIZE_MULTIPLE, 0, (-h) % SIZE_MULTIPLE),
                       mode='reflect')
        return self.network(padded)[..., :h, :w]


@contextmanager
def dft_as_matmul(network: nn.Module) -> Iterator[nn.Module]:
    """Within the block, every :class:`SpectralFilter` of ``network`` computes
    its DFTs as products with DFT matrices (exportable); on exit each is
    set back as it was."""
    filters = [m for m in network.modules() if isinstance(m, SpectralFilter)]
    before = [f.dft_as_matmul for f in filters]
    for spectral_filter in filters:
        spectral_filter.dft_as_matmul = True
    try:
        yield network
    finally:
        for spectral_filter, flag in zip(filters, before):
            spectral_filter.dft_as_matmul = flag


def export_onnx(network: nn.Module, path: Union[str, Path],
                sample_size: Tuple[int, int] = (64, 64)) -> Path:
    """Write ``network`` as an ONNX model with dynamic batch, height and
    width.

    The network is traced in eval mode on a random ``1 x 3 x H x W`` sample
    on the device of its parameters (its training mode is restored
    afterwards); the input is named :data:`INPUT_NAME`, the output
    :data:`OUTPUT_NAME`.

    Args:
        network: float32 network, ``B x 3 x H x W`` RGB in [0, 1] to the
            same (e.g. :func:`cpra_mm.apis.init_derainer`'s, fp32 without
            compile).
        path: the ``.onnx`` file to write (its folder is created).
        sample_size: ``(H, W)`` of the tracing sample, both ``>= 8``; the
            graph takes other sizes too.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        ValueError: a sample side below :data:`MIN_SIDE`.
    """
    if min(sample_size) < MIN_SIDE:
        raise ValueError(f'sample_size sides must be >= {MIN_SIDE}, got {tuple(sample_size)}')
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parameter = next(network.parameters(), None)
    device = parameter.device if parameter is not None else torch.device('cpu')
    sample = torch.rand(1, 3, *sample_size, device=device)
    was_training = network.training
    network.eval()
    try:
        with dft_as_matmul(network), warnings.catch_warnings(), torch.no_grad():
            # The tracer warns about every Python value it freezes (shape
            # checks, the padding branch); PaddedForExport makes them exact.
            warnings.simplefilter('ignore')
            torch.onnx.export(PaddedForExport(network), (sample,), str(path), dynamo=False,
                              opset_version=ONNX_OPSET, input_names=[INPUT_NAME],
                              output_names=[OUTPUT_NAME],
                              dynamic_axes={INPUT_NAME: DYNAMIC_AXES,
                                            OUTPUT_NAME: DYNAMIC_AXES})
    finally:
        network.train(was_training)
    return path
