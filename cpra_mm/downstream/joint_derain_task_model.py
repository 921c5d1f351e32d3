"""``JointDerainTaskModel``: fine-tune a derainer with a downstream task
loss plus a restoration loss."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.model import BaseModel
from torch import nn

from cpra_mm.registry import MODELS
from cpra_mm.utils.image_io import PIXEL_MAX

from .derain_preprocessing import DerainPreprocessingMixin


def charbonnier(pred: torch.Tensor, target: torch.Tensor, eps: float) -> torch.Tensor:
    """Mean of ``sqrt((pred - target)^2 + eps^2)`` over all elements."""
    return torch.sqrt((pred - target) ** 2 + eps ** 2).mean()


@MODELS.register_module()
class JointDerainTaskModel(BaseModel):
    """A detector or segmenter whose data preprocessor derains, trained with
    its own losses plus ``loss_restore``.

    ``loss_restore`` is ``restore_loss_weight`` times the Charbonnier
    distance (``charbonnier_eps``) between each derained image and its clean
    counterpart, both as images in [0, 1] at their unpadded size, averaged
    over the images of the batch (each image weighs the same, whatever its
    size). The task model's losses are returned unchanged beside it; MMEngine
    sums every ``loss*`` entry and logs each.

    The clean image comes from each data sample's metainfo (``clean_key``):
    ``KeepCleanCopy`` after the geometric and photometric transforms, then
    ``AddRain(src_key='img', dst_key='img')``, and ``'clean_img'`` in the
    pack transform's ``meta_keys``. To start from a trained task model set
    ``task_model.init_cfg=dict(type='Pretrained', checkpoint=...)``. Why:
    docs/design_notes.md.

    Args:
        task_model: config of the detector or segmenter, whose
            ``data_preprocessor`` is a deraining one (e.g.
            ``DerainDetDataPreprocessor``) with ``trainable=True``; built from
            cpra_mm's ``MODELS`` in the current default scope (configs set
            ``default_scope``; otherwise give a scoped type such as
            ``'mmdet.RetinaNet'``). A built module is accepted too.
        restore_loss_weight: weight of ``loss_restore``, >= 0.
        charbonnier_eps: the Charbonnier loss's epsilon (on the [0, 1]
            scale), > 0.
        clean_key: metainfo key of the clean image.
        data_preprocessor: this model's own data preprocessor; ``None``
            gives MMEngine's ``BaseDataPreprocessor`` (device transfer only).
        init_cfg: MMEngine initialisation config.

    Raises:
        TypeError: when the task model's data preprocessor does not derain.
        ValueError: when its derainer is frozen, or for weights out of range.
    """

    def __init__(self,
                 task_model: Union[dict, nn.Module],
                 restore_loss_weight: float = 1.0,
                 charbonnier_eps: float = 1e-3,
                 clean_key: str = 'clean_img',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if restore_loss_weight < 0:
            raise ValueError(f'restore_loss_weight must be >= 0, got {restore_loss_weight}')
        if charbonnier_eps <= 0:
            raise ValueError(f'charbonnier_eps must be > 0, got {charbonnier_eps}')
        self.task_model = MODELS.build(task_model) if isinstance(task_model, dict) else task_model
        preprocessor = getattr(self.task_model, 'data_preprocessor', None)
        if not isinstance(preprocessor, DerainPreprocessingMixin):
            raise TypeError('JointDerainTaskModel: task_model.data_preprocessor must derain '
                            '(DerainDetDataPreprocessor or DerainSegDataPreProcessor), got '
                            f'{type(preprocessor).__name__}')
        if not preprocessor.derain_stage.trainable:
            raise ValueError('JointDerainTaskModel: set task_model.data_preprocessor.trainable'
                             '=True, a frozen derainer cannot be fine-tuned')
        self.restore_loss_weight = restore_loss_weight
        self.charbonnier_eps = charbonnier_eps
        self.clean_key = clean_key

    @property
    def task_preprocessor(self) -> DerainPreprocessingMixin:
        """The task model's deraining data preprocessor."""
        return self.task_model.data_preprocessor

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], list, tuple]:
        """Derain, preprocess and run the task model.

        Args:
            inputs: rainy images on the model's device: a list of
                ``3 x H_i x W_i`` tensors (uint8, 0-255, loader channel
                order) or a ``B x 3 x H x W`` tensor.
            data_samples: the task's data samples; in ``'loss'`` mode each
                carries the clean image under ``clean_key`` in its metainfo.
            mode: ``'loss'``, ``'predict'`` or ``'tensor'``, as the task
                model takes it.

        Returns:
            ``'loss'``: the task losses plus ``loss_restore``; otherwise the
            task model's output.
        """
        derained = self.task_preprocessor.derain_stage(inputs)
        task_data = self.task_preprocessor.normalize(
            {'inputs': derained, 'data_samples': data_samples}, training=mode == 'loss')
        outputs = self.task_model(**task_data, mode=mode)
        if mode == 'loss':
            outputs['loss_restore'] = self.restore_loss_weight * self.restoration_loss(
                derained, data_samples)
        return outputs

    def restoration_loss(self, derained: Sequence[torch.Tensor],
                         data_samples: Sequence) -> torch.Tensor:
        """Charbonnier distance between derained and clean images in [0, 1],
        averaged per image and then over the batch.

        Args:
            derained: ``3 x H_i x W_i`` float images at 0-255 scale.
            data_samples: their data samples, with ``clean_key`` metainfo.

        Raises:
            KeyError: when a data sample has no clean image.
            ValueError: when a clean image's shape differs from its derained
                image's.
        """
        losses = []
        for index, (image, sample) in enumerate(zip(derained, data_samples)):
            clean = self._clean_image(sample, index).to(image.device)
            if clean.shape != image.shape:
                raise ValueError(
                    f'JointDerainTaskModel: {self.clean_key!r} of image {index} has shape '
                    f'{tuple(clean.shape)}, its input {tuple(image.shape)}; put KeepCleanCopy '
                    'after every transform that changes the image geometry')
            losses.append(charbonnier(image / PIXEL_MAX, clean.float() / PIXEL_MAX,
                                      self.charbonnier_eps))
        return torch.stack(losses).mean()

    def _clean_image(self, sample, index: int) -> torch.Tensor:
        """The clean image of a data sample as a ``3 x H x W`` tensor."""
        if self.clean_key not in sample.metainfo:
            raise KeyError(
                f'JointDerainTaskModel: data sample {index} has no {self.clean_key!r} '
                "in its metainfo; add KeepCleanCopy before AddRain and "
                f"{self.clean_key!r} to the pack transform's meta_keys")
        clean = sample.metainfo[self.clean_key]
        if isinstance(clean, np.ndarray):
            return torch.from_numpy(np.ascontiguousarray(clean.transpose(2, 0, 1)))
        return clean
