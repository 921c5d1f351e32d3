"""``DerainSegVisualizationHook``: MMSegmentation's visualisation hook,
drawing on the image the segmenter saw (rainy or derained) instead of the
file."""
import os.path as osp
from typing import Sequence

from mmengine.runner import Runner
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample

from cpra_mm.downstream.model_input_visualization import ModelInputVisualizationMixin


@HOOKS.register_module()
class DerainSegVisualizationHook(ModelInputVisualizationMixin, SegVisualizationHook):
    """:class:`SegVisualizationHook` that draws the predicted (and ground
    truth) segmentation with the runner's ``SegLocalVisualizer`` on the
    image the segmenter saw, not on ``img_path`` re-read from disk.

    On a rainy config that is the image ``AddRain`` produced (after the
    rest of the test pipeline); with a derain data preprocessor or
    :class:`~cpra_mm.downstream.JointDerainTaskModel`, the derained image the
    derain stage handed to normalisation (see
    :class:`~cpra_mm.downstream.ModelInputRecorder`). On a clean config it
    is the file's image, as with the stock hook. Everything else is the
    stock hook's: ``tools/test.py --show`` / ``--show-dir`` switch it on the
    same way, and every ``interval``-th validation or test batch is drawn to
    the visualiser's backends (with ``--show-dir DIR``:
    ``DIR/vis_data/vis_image/``).

    Args:
        channel_order: channel order of the loader's images, ``'bgr'``
            (``LoadImageFromFile``'s default) or ``'rgb'``; a derain stage
            says its own.
        **kwargs: :class:`SegVisualizationHook`'s arguments (``draw``,
            ``interval``, ``show``, ``wait_time``, ``backend_args``).
    """

    def __init__(self, channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_recorder(channel_order)

    def _after_iter(self,
                    runner: Runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        """Draw every image of every ``interval``-th validation or test
        batch."""
        if not self.draw or mode == 'train' or not self.every_n_inner_iters(
                batch_idx, self.interval):
            return
        for index, sample in enumerate(outputs):
            self._visualizer.add_datasample(
                f'{mode}_{osp.basename(sample.img_path)}',
                self.recorder.image(data_batch, index, sample),
                data_sample=sample,
                show=self.show,
                wait_time=self.wait_time,
                step=runner.iter)
