"""``DerainRestorer``: MMagic's editing model with CPRAformer's loss terms."""
from typing import Dict, List, Optional

import torch
from mmagic.models import BaseEditModel
from mmagic.registry import MODELS
from mmagic.structures import DataSample

from cpra_mm.losses import block_means, over_removal_weight, rain_residual_weight
from cpra_mm.models import tiled_forward
from cpra_mm.utils.image_io import PIXEL_MAX


@MODELS.register_module()
class DerainRestorer(BaseEditModel):
    """A restoration model trained with a pixel loss plus optional edge,
    frequency and local-mean terms.

    Training returns ``loss_pix`` (``pixel_loss``), and ``loss_edge``
    (``edge_loss``), ``loss_fft`` (``fft_loss``), ``loss_local_mean``
    (``local_mean_loss``) and ``loss_texture`` (``texture_loss``) when those
    are given;
    each term carries its own ``loss_weight`` from its config, MMEngine sums
    them into ``loss`` and logs every term separately. With
    ``rain_weighting`` the pixel loss is a weighted mean that counts the
    pixels the rain changed up to ``1 + emphasis`` times
    (:func:`cpra_mm.losses.rain_residual_weight`), and with its
    ``over_removal`` those of them predicted darker than the target up to
    ``1 + over_removal`` times more
    (:func:`cpra_mm.losses.over_removal_weight`). With
    ``texture_weighting`` the texture loss is a weighted mean over its
    cells, each counted by the mean rain weight of its pixels, so the
    detail lost under the streaks outweighs the many dry cells.

    Inference optionally runs the generator tile by tile
    (``test_cfg=dict(tile_size=128, tile_overlap=0)`` is the reference
    code's evaluation on non-overlapping 128 x 128 tiles), clamps the
    prediction to the pixel range [0, 255] and, with ``quantize=True``,
    rounds it to 8-bit levels, as the published deraining numbers were
    measured on saved 8-bit images.

    Args:
        generator: config of the network (e.g. ``dict(type='CPRAformer')``);
            it maps ``B x 3 x H x W`` inputs in [0, 1] to outputs of the
            same shape.
        pixel_loss: config of the pixel loss (e.g. ``CharbonnierLoss``).
        edge_loss: optional config of an edge loss (e.g.
            ``LaplacianEdgeLoss``).
        fft_loss: optional config of a frequency loss (e.g. ``FFTLoss``).
        local_mean_loss: optional config of a loss on local averages (e.g.
            ``LocalMeanLoss``), unweighted by ``rain_weighting``: it keeps
            the output's local brightness where the weighted pixel loss
            would trade it for the streaks.
        texture_loss: optional config of a loss on the amount of fine
            detail cell by cell (e.g. ``TextureEnergyLoss``, whose
            ``block`` is the cell side), unweighted by ``rain_weighting``.
        texture_weighting: optional ``dict(emphasis=float,
            saturation=float)`` weighting ``texture_loss``'s cells toward
            rain-covered ones: each cell counts the mean over its pixels of
            :func:`cpra_mm.losses.rain_residual_weight` with these
            arguments; needs ``texture_loss``; default: a plain mean.
        rain_weighting: optional ``dict(emphasis=float, saturation=float)``
            weighting the pixel loss toward rain-covered pixels (see
            :func:`cpra_mm.losses.rain_residual_weight`; ``saturation`` in
            the normalised images' units), optionally with
            ``over_removal=float`` (default 0: off); default: a plain mean.
        train_cfg: unused; kept for MMagic's interface.
        test_cfg: optional ``dict(quantize=bool, tile_size=int,
            tile_overlap=int)``; defaults: no rounding, whole images.
        init_cfg: MMEngine initialisation config.
        data_preprocessor: config of MMagic's ``DataPreprocessor``; with
            ``mean=[0, 0, 0]`` and ``std=[255, 255, 255]`` the network sees
            [0, 1] images.
    """

    def __init__(self,
                 generator: dict,
                 pixel_loss: dict,
                 edge_loss: Optional[dict] = None,
                 fft_loss: Optional[dict] = None,
                 local_mean_loss: Optional[dict] = None,
                 texture_loss: Optional[dict] = None,
                 rain_weighting: Optional[dict] = None,
                 texture_weighting: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(
            generator=generator,
            pixel_loss=pixel_loss,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.edge_loss = MODELS.build(edge_loss) if edge_loss else None
        self.fft_loss = MODELS.build(fft_loss) if fft_loss else None
        self.local_mean_loss = MODELS.build(local_mean_loss) if local_mean_loss else None
        self.texture_loss = MODELS.build(texture_loss) if texture_loss else None
        if rain_weighting is not None and not (
                {'emphasis', 'saturation'} <= set(rain_weighting)
                <= {'emphasis', 'saturation', 'over_removal'}):
            raise ValueError('rain_weighting must be dict(emphasis=..., saturation=...[, '
                             f'over_removal=...]), got {rain_weighting!r}')
        self.rain_weighting = rain_weighting
        if texture_weighting is not None:
            if set(texture_weighting) != {'emphasis', 'saturation'}:
                raise ValueError('texture_weighting must be dict(emphasis=..., saturation=...), '
                                 f'got {texture_weighting!r}')
            if self.texture_loss is None:
                raise ValueError('texture_weighting weights texture_loss, which is not given')
        self.texture_weighting = texture_weighting
        test_cfg = test_cfg or {}
        self.quantize = bool(test_cfg.get('quantize', False))
        self.tile_size: Optional[int] = test_cfg.get('tile_size')
        self.tile_overlap = int(test_cfg.get('tile_overlap', 0))

    def forward_train(self,
                      inputs: torch.Tensor,
                      data_samples: Optional[List[DataSample]] = None,
                      **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the training losses.

        Args:
            inputs: ``B x 3 x H x W`` rainy images, normalised by the data
                preprocessor (in [0, 1] with the configs of this project).
            data_samples: stacked data samples holding ``gt_img``
                (``B x 3 x H x W``, normalised like ``inputs``).

        Returns:
            ``{'loss_pix': ..., 'loss_edge': ..., 'loss_fft': ...,
            'loss_local_mean': ..., 'loss_texture': ...}``, scalar tensors;
            the last four only when configured.
        """
        pred = self.forward_tensor(inputs, data_samples, **kwargs)
        target = data_samples.gt_img
        weight = None
        if self.rain_weighting is not None:
            emphasis, saturation = (self.rain_weighting['emphasis'],
                                    self.rain_weighting['saturation'])
            weight = rain_residual_weight(inputs, target, emphasis, saturation)
            over_removal = self.rain_weighting.get('over_removal', 0.0)
            if over_removal:
                weight = weight * over_removal_weight(pred, inputs, target, over_removal,
                                                      saturation)
        losses = dict(loss_pix=self.pixel_loss(pred, target, weight=weight))
        if self.edge_loss is not None:
            losses['loss_edge'] = self.edge_loss(pred, target)
        if self.fft_loss is not None:
            losses['loss_fft'] = self.fft_loss(pred, target)
        if self.local_mean_loss is not None:
            losses['loss_local_mean'] = self.local_mean_loss(pred, target)
        if self.texture_loss is not None:
            cell_weight = None
            if self.texture_weighting is not None:
                cell_weight = block_means(
                    rain_residual_weight(inputs, target, self.texture_weighting['emphasis'],
                                         self.texture_weighting['saturation']),
                    self.texture_loss.block)
            losses['loss_texture'] = self.texture_loss(pred, target, weight=cell_weight)
        return losses

    def forward_inference(self,
                          inputs: torch.Tensor,
                          data_samples: Optional[List[DataSample]] = None,
                          **kwargs) -> DataSample:
        """Predict restored images for evaluation.

        Args:
            inputs: ``B x 3 x H x W`` normalised rainy images.
            data_samples: the batch's stacked data samples.

        Returns:
            A stacked :class:`DataSample` with ``pred_img``
            (``B x 3 x H x W`` on the CPU, in [0, 255], channel order as
            restored by ``data_preprocessor.destruct``).
        """
        if self.tile_size:
            pred = tiled_forward(lambda tile: self.generator(tile, **kwargs), inputs,
                                 tile_size=self.tile_size, overlap=self.tile_overlap)
        else:
            pred = self.forward_tensor(inputs, data_samples, **kwargs)
        pred = self.data_preprocessor.destruct(pred, data_samples)
        pred = pred.clamp(0, PIXEL_MAX)
        if self.quantize:
            pred = pred.round()
        return DataSample(pred_img=pred.cpu())
