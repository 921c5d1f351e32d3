"""``ModelInputVisualizationMixin``: the val/test bookkeeping that lets a
visualisation hook draw on the images the model saw."""
from typing import TYPE_CHECKING, Optional

from .model_input_recorder import ModelInputRecorder

if TYPE_CHECKING:
    from mmengine.runner import Runner


class ModelInputVisualizationMixin:
    """Record what the model saw while a visualisation hook draws.

    Put it first among the bases of a subclass of a stock visualisation
    hook (``class X(ModelInputVisualizationMixin, DetVisualizationHook)``)
    and call :meth:`init_recorder` in its ``__init__``; its
    ``after_*_iter`` then takes each image from :attr:`recorder`
    (:meth:`ModelInputRecorder.image`) instead of reading ``img_path`` from
    disk. The recorder is attached to the model for every validation and
    test epoch in which the hook draws, and detached after it, so training
    steps are never recorded.
    """

    recorder: ModelInputRecorder
    draw: bool

    def init_recorder(self, channel_order: str) -> None:
        """Create :attr:`recorder` for loader images in ``channel_order``
        (``'bgr'`` or ``'rgb'``)."""
        self.recorder = ModelInputRecorder(channel_order)

    def _attach(self, runner: 'Runner') -> None:
        """Record the model's input for the coming epoch when drawing."""
        if self.draw:
            self.recorder.attach(runner.model)

    def before_val_epoch(self, runner: 'Runner') -> None:
        """Start recording for the validation epoch."""
        self._attach(runner)

    def before_test_epoch(self, runner: 'Runner') -> None:
        """Start recording for the test epoch."""
        self._attach(runner)

    def after_val_epoch(self, runner: 'Runner', metrics: Optional[dict] = None) -> None:
        """Stop recording after the validation epoch."""
        self.recorder.detach()

    def after_test_epoch(self, runner: 'Runner', metrics: Optional[dict] = None) -> None:
        """Stop recording after the test epoch."""
        self.recorder.detach()
