"""Sample pictures of the downstream evaluation: a tested model's
predictions drawn by the framework's visualiser (``DetLocalVisualizer``,
``SegLocalVisualizer``) on the images the model saw, and the grid of them
across modes (``samples.png``)."""
import os.path as osp
from typing import Any, List, Mapping, Sequence, Tuple

import mmcv
import numpy as np
import torch
from matplotlib.figure import Figure
from mmengine.runner import Runner

from cpra_mm.downstream.model_input_recorder import ModelInputRecorder

SAMPLE_COLUMNS: Tuple[str, ...] = ('rainy', 'derained', 'clean')
"""Column order of the grid."""

MIN_PANEL_SIDE = 256
"""The grid shows every panel at least this many pixels on its longer
side (enlarged, not redrawn)."""


def draw_samples(runner: Runner, count: int, out_dir: str, **draw_options: Any) -> List[np.ndarray]:
    """Draw the predictions of ``runner``'s model on its first ``count``
    test images, on the image the model saw (rainy, or derained behind a
    derain stage; :class:`~cpra_mm.downstream.ModelInputRecorder`), with
    the runner's visualiser, as ``tools/test.py --show-dir`` with the
    cpra_mm visualisation hooks does.

    Args:
        runner: a runner whose model is built and loaded (after
            ``runner.test()``, whose loop gives the visualiser the dataset's
            classes and palette).
        count: how many images (the first of the test set).
        out_dir: the pictures are written here, under the images' file
            names.
        **draw_options: further arguments of the visualiser's
            ``add_datasample`` (e.g. ``pred_score_thr`` for detection).

    Returns:
        The pictures, ``H x W x 3`` uint8 RGB, predictions only.
    """
    dataset = runner.test_dataloader.dataset
    collate = runner.test_dataloader.collate_fn
    recorder = ModelInputRecorder()
    recorder.attach(runner.model)
    pictures = []
    try:
        for index in range(min(count, len(dataset))):
            batch = collate([dataset[index]])
            with torch.no_grad():
                sample = runner.model.test_step(batch)[0]
            out_file = osp.join(out_dir, osp.basename(sample.img_path))
            runner.visualizer.add_datasample(
                osp.basename(out_file), recorder.image(batch, 0, sample), data_sample=sample,
                draw_gt=False, out_file=out_file, **draw_options)
            pictures.append(mmcv.imread(out_file, channel_order='rgb'))
    finally:
        recorder.detach()
    return pictures


def plot_samples(pictures: Mapping[str, Sequence[np.ndarray]], path: str) -> None:
    """Save a grid to ``path``: one row per image, one column per mode in
    :data:`SAMPLE_COLUMNS` order (modes without pictures left out).

    Args:
        pictures: ``{mode: [picture, ...]}``, the same images in every mode.
        path: the PNG file to write.
    """
    columns = [mode for mode in SAMPLE_COLUMNS if pictures.get(mode)]
    rows = min(len(pictures[mode]) for mode in columns)
    height, width = pictures[columns[0]][0].shape[:2]
    zoom = max(1.0, MIN_PANEL_SIDE / max(height, width))
    fig = Figure(figsize=(len(columns) * width * zoom / 100, rows * height * zoom / 100 + 0.3))
    axes = fig.subplots(rows, len(columns), squeeze=False)
    for col, mode in enumerate(columns):
        axes[0, col].set_title(mode, fontsize=10)
        for row in range(rows):
            axes[row, col].imshow(pictures[mode][row], interpolation='nearest')
            axes[row, col].axis('off')
    fig.tight_layout(pad=0.2)
    fig.savefig(path, dpi=100)
