"""``DerainDetVisualizationHook``: MMDetection's visualisation hook, drawing
on the image the detector saw (rainy or derained) instead of the file."""
import os.path as osp
from typing import Optional, Sequence

from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.runner import Runner
from mmengine.utils import mkdir_or_exist

from cpra_mm.downstream.model_input_visualization import ModelInputVisualizationMixin


@HOOKS.register_module()
class DerainDetVisualizationHook(ModelInputVisualizationMixin, DetVisualizationHook):
    """:class:`DetVisualizationHook` that draws the predictions (and ground
    truth) with the runner's ``DetLocalVisualizer`` on the image the
    detector saw, not on ``img_path`` re-read from disk.

    On a rainy config that is the image ``AddRain`` produced (after the
    rest of the test pipeline); with a derain data preprocessor or
    :class:`~cpra_mm.downstream.JointDerainTaskModel`, the derained image the
    derain stage handed to normalisation (see
    :class:`~cpra_mm.downstream.ModelInputRecorder`). On a clean config it
    is the file's image, as with the stock hook. Everything else is the
    stock hook's: ``tools/test.py --show`` / ``--show-dir`` switch it on the
    same way, images go to ``<work_dir>/<timestamp>/<show_dir>/<file name>``
    in testing and to the visualiser's backends every ``interval``
    validation iterations.

    Args:
        channel_order: channel order of the loader's images, ``'bgr'``
            (``LoadImageFromFile``'s default) or ``'rgb'``; a derain stage
            says its own.
        **kwargs: :class:`DetVisualizationHook`'s arguments (``draw``,
            ``interval``, ``score_thr``, ``show``, ``wait_time``,
            ``test_out_dir``, ``backend_args``).
    """

    def __init__(self, channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_recorder(channel_order)

    def after_val_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence[DetDataSample]) -> None:
        """Draw the first image of every ``interval``-th validation batch."""
        step = runner.iter + batch_idx
        if not self.draw or step % self.interval != 0:
            return
        sample = outputs[0]
        self._visualizer.add_datasample(
            osp.basename(sample.img_path) if self.show else 'val_img',
            self.recorder.image(data_batch, 0, sample),
            data_sample=sample,
            show=self.show,
            wait_time=self.wait_time,
            pred_score_thr=self.score_thr,
            step=step)

    def after_test_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence[DetDataSample]) -> None:
        """Draw every test image; write it to the test output folder when
        one is set."""
        if not self.draw:
            return
        out_dir: Optional[str] = None
        if self.test_out_dir is not None:
            out_dir = osp.join(runner.work_dir, runner.timestamp, self.test_out_dir)
            mkdir_or_exist(out_dir)
        for index, sample in enumerate(outputs):
            self._test_index += 1
            name = osp.basename(sample.img_path)
            self._visualizer.add_datasample(
                name if self.show else 'test_img',
                self.recorder.image(data_batch, index, sample),
                data_sample=sample,
                show=self.show,
                wait_time=self.wait_time,
                pred_score_thr=self.score_thr,
                out_file=osp.join(out_dir, name) if out_dir else None,
                step=self._test_index)
