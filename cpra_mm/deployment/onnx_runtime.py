"""Run an exported derainer with onnxruntime, and build one straight from a
PyTorch network (the ``onnxruntime`` mode of ``tools/benchmark_model.py``)."""
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from .onnx_export import INPUT_NAME, MIN_SIDE, export_onnx


class OnnxRuntimeDerainer:
    """An onnxruntime session of an exported derainer, called like the
    network.

    Args:
        path: the ``.onnx`` file (:func:`~.onnx_export.export_onnx`).
        threads: onnxruntime's intra-op threads; None: its default (one per
            core).
        providers: execution providers, in order of preference; None: the
            CPU provider.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """

    def __init__(self, path: Union[str, Path], threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None) -> None:
        import onnxruntime

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f'no ONNX model at {self.path}')
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(self.path), options, providers=list(providers or ['CPUExecutionProvider']))

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """``B x 3 x H x W`` float RGB in [0, 1] (``H, W >= 8``, any device)
        -> the derained batch, float32 in [0, 1], on the input's device.

        Raises:
            ValueError: a side below 8 pixels or a wrong shape.
        """
        if images.dim() != 4 or images.shape[1] != 3 or min(images.shape[-2:]) < MIN_SIDE:
            raise ValueError(f'the exported derainer takes B x 3 x H x W with H, W >= '
                             f'{MIN_SIDE}, got {tuple(images.shape)}')
        array = images.detach().float().cpu().contiguous().numpy()
        (restored,) = self.session.run(None, {INPUT_NAME: array})
        return torch.from_numpy(np.asarray(restored)).to(images.device)


def onnxruntime_derainer(network: nn.Module, threads: Optional[int] = None,
                         sample_size: Tuple[int, int] = (64, 64)) -> OnnxRuntimeDerainer:
    """Export ``network`` to a temporary ONNX file and open it with
    onnxruntime on the CPU (the file is deleted once the session holds it).

    Args:
        network: float32 deraining network (e.g. ``CPRAformer(preset,
            layout=layout)``), ``B x 3 x H x W`` in [0, 1] to the same.
        threads: onnxruntime's intra-op threads; None: one per core.
        sample_size: ``(H, W)`` the export is traced at; other sizes run too.

    Returns:
        A callable ``B x 3 x H x W`` float tensor -> float32 tensor of the
        same shape (see :class:`OnnxRuntimeDerainer`).
    """
    with tempfile.TemporaryDirectory(prefix='cpra_onnx_') as folder:
        path = export_onnx(network, Path(folder) / 'derainer.onnx', sample_size=sample_size)
        return OnnxRuntimeDerainer(path, threads=threads)
