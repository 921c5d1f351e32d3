"""The derain stage in front of MMDetection and MMSegmentation models:
colour and scale handling, freezing, checkpoint loading, equality with
running the derainer and the plain model by hand, one training step, and
joint fine-tuning with ``loss_restore``. Tiny models and generated data."""
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData, PixelData
from torch import nn

import cpra_mm  # noqa: F401
from cpra_mm.det import DerainDetDataPreprocessor
from cpra_mm.downstream import (CheckpointMismatchError, DerainStage, JointDerainTaskModel,
                                KeepCleanCopy, batch_channel_order)
from cpra_mm.models import CPRAformer, tiled_forward
from cpra_mm.seg import DerainSegDataPreProcessor
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.structures import DetDataSample
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.structures import SegDataSample

TINY_DERAINER = dict(type='CPRAformer', preset='tiny', layout='corrected')
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
DERAIN_KEY = 'data_preprocessor.derain_stage.derainer.'


# --------------------------------------------------------------------------
# Tiny models and data
# --------------------------------------------------------------------------

def retinanet_cfg(**preprocessor) -> dict:
    """A RetinaNet with a ResNet-18 (no pretrained weights) and a derain
    data preprocessor."""
    return dict(
        type='RetinaNet',
        data_preprocessor=dict(
            type='DerainDetDataPreprocessor', derainer=TINY_DERAINER, mean=MEAN, std=STD,
            bgr_to_rgb=True, pad_size_divisor=32, **preprocessor),
        backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(1, 2, 3),
                      norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
                      style='pytorch', init_cfg=None),
        neck=dict(type='FPN', in_channels=[128, 256, 512], out_channels=32, num_outs=3),
        bbox_head=dict(
            type='RetinaHead', num_classes=3, in_channels=32, stacked_convs=1,
            feat_channels=32,
            anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4,
                                  scales_per_octave=1, ratios=[1.0], strides=[8, 16, 32]),
            bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                            target_stds=[1.0] * 4),
            loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                          loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
        train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4,
                                     min_pos_iou=0, ignore_iof_thr=-1),
                       sampler=dict(type='PseudoSampler'), allowed_border=-1, pos_weight=-1,
                       debug=False),
        test_cfg=dict(nms_pre=100, min_bbox_size=0, score_thr=0.0,
                      nms=dict(type='nms', iou_threshold=0.5), max_per_img=20))


def segmenter_cfg(**preprocessor) -> dict:
    """An FCN on a ResNetV1c-18 (no pretrained weights) with a derain data
    preprocessor."""
    norm_cfg = dict(type='BN', requires_grad=True)
    return dict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='DerainSegDataPreProcessor', derainer=TINY_DERAINER, mean=MEAN, std=STD,
            bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(64, 64), **preprocessor),
        backbone=dict(type='ResNetV1c', depth=18, num_stages=4, out_indices=(3, ),
                      dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), norm_cfg=norm_cfg,
                      norm_eval=False, style='pytorch', contract_dilation=True, init_cfg=None),
        decode_head=dict(type='FCNHead', in_channels=512, in_index=0, channels=16, num_convs=1,
                         concat_input=False, dropout_ratio=0.0, num_classes=4,
                         norm_cfg=norm_cfg, align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                                          loss_weight=1.0)),
        train_cfg=dict(), test_cfg=dict(mode='whole'))


def build_detector(**preprocessor) -> nn.Module:
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MMDET_MODELS.build(ConfigDict(retinanet_cfg(**preprocessor)))


def build_segmenter(**preprocessor) -> nn.Module:
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MMSEG_MODELS.build(ConfigDict(segmenter_cfg(**preprocessor)))


def random_image(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """An H x W x 3 uint8 image (BGR, as mmcv loads): a smooth gradient with
    a bright box, plus noise."""
    ys, xs = np.mgrid[:height, :width]
    base = np.stack([xs / width, ys / height, (xs + ys) / (width + height)], -1) * 180
    base[height // 4:height // 2, width // 4:width // 2] = 230
    return np.clip(base + rng.normal(0, 8, base.shape), 0, 255).astype(np.uint8)


def chw(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))


def det_batch(sizes: List[Tuple[int, int]], clean: bool = False, seed: int = 0) -> dict:
    """A detection batch as the data loader gives it: uint8 BGR CHW images
    of the given sizes, one box each; ``clean`` adds a clean copy (the
    image before +30 of 'rain') under ``clean_img``."""
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for index, (h, w) in enumerate(sizes):
        image = random_image(rng, h, w)
        rainy = np.clip(image.astype(np.int32) + 30, 0, 255).astype(np.uint8) if clean else image
        sample = DetDataSample(metainfo=dict(img_id=index, img_shape=(h, w), ori_shape=(h, w),
                                             scale_factor=(1.0, 1.0)))
        if clean:
            sample.set_metainfo(dict(clean_img=image))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[w / 4, h / 4, w / 2, h / 2]], dtype=torch.float32),
            labels=torch.tensor([index % 3]))
        inputs.append(chw(rainy))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def seg_batch(count: int, size: int = 64, clean: bool = False, seed: int = 0) -> dict:
    """A segmentation batch: uint8 BGR CHW images with 4-class label maps."""
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for _ in range(count):
        image = random_image(rng, size, size)
        rainy = np.clip(image.astype(np.int32) + 30, 0, 255).astype(np.uint8) if clean else image
        labels = torch.from_numpy(rng.integers(0, 4, (1, size, size))).long()
        sample = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        if clean:
            sample.set_metainfo(dict(clean_img=image))
        sample.gt_sem_seg = PixelData(data=labels)
        inputs.append(chw(rainy))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def derainer_of(model: nn.Module) -> nn.Module:
    return model.data_preprocessor.derain_stage.derainer


def sgd(model: nn.Module) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                                        lr=0.01))


class Recorder(nn.Module):
    """An identity 'derainer' that records every batch it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.calls: List[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append(x.detach().clone())
        return x * self.scale


def manual_derain(derainer: nn.Module, image: torch.Tensor) -> torch.Tensor:
    """Derain one uint8 BGR CHW image by hand: to RGB [0, 1], one pass of
    the derainer, back to BGR 0-255."""
    rgb = image.float().flip(0)[None] / 255
    with torch.no_grad():
        return (derainer(rgb)[0] * 255).flip(0)


# --------------------------------------------------------------------------
# Derain stage: colour, scale, sizes, tiling
# --------------------------------------------------------------------------

def test_downstream_package_imports_no_model_zoo():
    code = ('import sys, cpra_mm.downstream; '
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('mmdet', 'mmseg', 'mmagic') and '.models' in m))")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == '[]'


@pytest.mark.parametrize('order', ['bgr', 'rgb'])
def test_identity_derainer_leaves_the_batch_unchanged(order):
    recorder = Recorder()
    stage = DerainStage(recorder, channel_order=order, flip_ensemble=False)
    images = det_batch([(24, 32), (16, 40)])['inputs']
    out = stage(images)
    for image, result, seen in zip(images, out, recorder.calls):
        assert result.dtype == torch.float32 and result.shape == image.shape
        assert torch.allclose(result, image.float(), atol=1e-3)
        expected = image.float() / 255
        # the derainer sees RGB in [0, 1]: BGR batches are flipped for it
        assert torch.allclose(seen[0], expected.flip(0) if order == 'bgr' else expected)


def test_stage_derains_each_size_together_and_keeps_order():
    recorder = Recorder()
    stage = DerainStage(recorder, flip_ensemble=False)
    images = det_batch([(32, 32), (24, 40), (32, 32)])['inputs']
    out = stage(images)
    assert sorted(tuple(call.shape) for call in recorder.calls) == [(1, 3, 24, 40),
                                                                    (2, 3, 32, 32)]
    for image, result in zip(images, out):
        assert torch.allclose(result, image.float(), atol=1e-3)


def test_stage_accepts_a_stacked_batch():
    stage = DerainStage(Recorder())
    batch = torch.stack(det_batch([(16, 16), (16, 16)])['inputs'])
    out = stage(batch)
    assert out.shape == batch.shape and torch.allclose(out, batch.float(), atol=1e-3)


def test_stage_tiles_gradient_free_calls():
    derainer = CPRAformer(preset='tiny', layout='corrected')
    image = det_batch([(48, 56)])['inputs'][0]
    rgb = image.float().flip(0)[None] / 255

    def mirror_mean(batch):
        return (derainer(batch) + derainer(batch.flip(-1)).flip(-1)) / 2
    for flip_ensemble, network in ((False, derainer), (True, mirror_mean)):
        stage = DerainStage(derainer, tile_size=32, tile_overlap=8, flip_ensemble=flip_ensemble)
        expected = (tiled_forward(network, rgb, 32, 8)[0] * 255).flip(0)
        assert torch.allclose(stage([image])[0], expected, atol=1e-4)


@pytest.mark.parametrize('kwargs, message', [
    (dict(channel_order='yuv'), 'channel_order'),
    (dict(tile_size=16, tile_overlap=16), 'tile_overlap'),
])
def test_stage_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DerainStage(Recorder(), **kwargs)


def test_channel_order_follows_the_preprocessor_flags():
    assert batch_channel_order(True, False, None) == 'bgr'
    assert batch_channel_order(False, True, None) == 'rgb'
    assert batch_channel_order(False, False, None) == 'bgr'
    assert batch_channel_order(False, False, 'rgb') == 'rgb'
    with pytest.raises(ValueError, match='contradicts'):
        batch_channel_order(True, False, 'rgb')
    preprocessor = DerainDetDataPreprocessor(derainer=Recorder(), mean=MEAN, std=STD,
                                             rgb_to_bgr=True)
    assert preprocessor.derain_stage.channel_order == 'rgb'


def test_identity_preprocessor_equals_the_stock_one():
    """With an identity derainer, the derain preprocessor's output is the
    stock DetDataPreprocessor's (BGR/RGB and uint8 handled right)."""
    args = dict(mean=MEAN, std=STD, bgr_to_rgb=True, pad_size_divisor=32)
    data = det_batch([(40, 48), (30, 64)])
    ours = DerainDetDataPreprocessor(derainer=Recorder(), **args)(data)
    stock = DetDataPreprocessor(**args)(data)
    assert torch.allclose(ours['inputs'], stock['inputs'], atol=1e-4)
    for a, b in zip(ours['data_samples'], stock['data_samples']):
        assert a.batch_input_shape == b.batch_input_shape and a.pad_shape == b.pad_shape


# --------------------------------------------------------------------------
# Freezing and training
# --------------------------------------------------------------------------

def test_frozen_derainer_stays_in_eval_and_gets_no_gradient():
    model = build_detector()
    model.train()
    derainer = derainer_of(model)
    assert model.training and model.backbone.training and not derainer.training
    assert not any(p.requires_grad for p in derainer.parameters())
    before = {k: v.clone() for k, v in derainer.state_dict().items()}
    log_vars = model.train_step(det_batch([(64, 64), (48, 80)]), sgd(model))
    assert torch.isfinite(log_vars['loss'])
    assert all(p.grad is None for p in derainer.parameters())
    assert all(torch.equal(before[k], v) for k, v in derainer.state_dict().items())


def test_trainable_derainer_trains_with_the_task_loss():
    model = build_detector(trainable=True)
    model.train()
    derainer = derainer_of(model)
    assert derainer.training and all(p.requires_grad for p in derainer.parameters())
    data = model.data_preprocessor(det_batch([(64, 64), (48, 80)]), True)
    losses = model(**data, mode='loss')
    total, _ = model.parse_losses(losses)
    total.backward()
    grads = [p.grad for p in derainer.parameters()]
    assert all(g is not None for g in grads) and any(g.abs().sum() > 0 for g in grads)
    before = derainer.patch_embed.weight.detach().clone()
    model.zero_grad()
    model.train_step(det_batch([(64, 64)]), sgd(model))
    assert not torch.equal(before, derainer.patch_embed.weight)


def test_segmenter_training_step_with_frozen_derainer():
    model = build_segmenter()
    model.train()
    assert not derainer_of(model).training
    log_vars = model.train_step(seg_batch(2), sgd(model))
    assert torch.isfinite(log_vars['loss']) and 'decode.loss_ce' in log_vars
    assert all(p.grad is None for p in derainer_of(model).parameters())


# --------------------------------------------------------------------------
# Equality with the derainer and the plain model run by hand
# --------------------------------------------------------------------------

def test_detector_chain_equals_derainer_then_plain_detector():
    model = build_detector().eval()
    data = det_batch([(64, 64), (48, 80)])
    derained = [manual_derain(derainer_of(model), image) for image in data['inputs']]
    plain = DetDataPreprocessor(mean=MEAN, std=STD, bgr_to_rgb=True, pad_size_divisor=32)
    expected_data = plain(dict(inputs=derained, data_samples=data['data_samples']))
    chained_data = model.data_preprocessor(data)
    assert torch.allclose(chained_data['inputs'], expected_data['inputs'], atol=1e-4)
    with torch.no_grad():
        chained = model.test_step(det_batch([(64, 64), (48, 80)]))
        expected = model(**expected_data, mode='predict')
    for a, b in zip(chained, expected):
        assert torch.allclose(a.pred_instances.bboxes, b.pred_instances.bboxes, atol=1e-3)
        assert torch.allclose(a.pred_instances.scores, b.pred_instances.scores, atol=1e-5)
        assert torch.equal(a.pred_instances.labels, b.pred_instances.labels)


def test_segmenter_chain_equals_derainer_then_plain_segmenter():
    model = build_segmenter().eval()
    data = seg_batch(2)
    derained = [manual_derain(derainer_of(model), image) for image in data['inputs']]
    plain = SegDataPreProcessor(mean=MEAN, std=STD, bgr_to_rgb=True, pad_val=0,
                                seg_pad_val=255, size=(64, 64))
    with torch.no_grad():
        expected = model(**plain(dict(inputs=derained, data_samples=data['data_samples'])),
                         mode='tensor')
        chained = model(**model.data_preprocessor(seg_batch(2)), mode='tensor')
    assert torch.allclose(chained, expected, atol=1e-4)


# --------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------

def reference_weights(seed: int = 1) -> dict:
    torch.manual_seed(seed)
    return CPRAformer(preset='tiny', layout='corrected').state_dict()


@pytest.mark.parametrize('form', ['mmagic', 'wrapped', 'bare'])
def test_preprocessor_loads_the_checkpoint_at_construction(tmp_path: Path, form: str):
    weights = reference_weights()
    content = {
        'mmagic': {'meta': {'epoch': 1}, 'state_dict': {
            **{f'generator.{k}': v for k, v in weights.items()},
            'data_preprocessor.mean': torch.zeros(3)}},
        'wrapped': {'state_dict': weights},
        'bare': weights,
    }[form]
    path = tmp_path / f'{form}.pth'
    torch.save(content, path)
    model = build_segmenter(derainer_checkpoint=str(path))
    loaded = derainer_of(model).state_dict()
    assert loaded.keys() == weights.keys()
    assert all(torch.equal(loaded[k], weights[k]) for k in weights)
    # the task model's initialisation does not touch the derainer
    model.init_weights()
    assert all(torch.equal(derainer_of(model).state_dict()[k], weights[k]) for k in weights)


def test_mismatched_checkpoint_names_file_and_keys(tmp_path: Path):
    weights = reference_weights()
    weights.pop('patch_embed.weight')
    weights['extra.weight'] = torch.zeros(1)
    path = tmp_path / 'partial.pth'
    torch.save({'state_dict': weights}, path)
    with pytest.raises(CheckpointMismatchError) as error:
        DerainStage(TINY_DERAINER, checkpoint=str(path))
    message = str(error.value)
    assert str(path) in message and 'patch_embed.weight' in message and 'extra.weight' in message


def test_missing_checkpoint_file_is_named(tmp_path: Path):
    path = tmp_path / 'nowhere.pth'
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        DerainStage(TINY_DERAINER, checkpoint=str(path))


# --------------------------------------------------------------------------
# Joint fine-tuning
# --------------------------------------------------------------------------

def test_keep_clean_copy_travels_through_the_pack_transform():
    from mmengine.dataset import Compose
    with DefaultScope.overwrite_default_scope('mmdet'):
        pipeline = Compose([
            dict(type='KeepCleanCopy'),
            dict(type='AddRain', seed=0, density=60.0, intensity=0.9),
            dict(type='PackDetInputs', meta_keys=('img_id', 'img_shape', 'clean_img')),
        ])
    image = random_image(np.random.default_rng(0), 48, 64)
    packed = pipeline(dict(img=image.copy(), img_id=0, img_shape=(48, 64), img_path='a.png'))
    clean = packed['data_samples'].metainfo['clean_img']
    assert np.array_equal(clean, image)
    assert not torch.equal(packed['inputs'], chw(image))
    with pytest.raises(KeyError, match='src_key'):
        KeepCleanCopy()(dict(gt=image))


def test_joint_detector_adds_loss_restore_and_trains_the_derainer():
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MMDET_MODELS.build(ConfigDict(
            type='JointDerainTaskModel', restore_loss_weight=0.5,
            task_model=retinanet_cfg(trainable=True)))
    model.train()
    data = model.data_preprocessor(det_batch([(64, 64), (48, 80)], clean=True), True)
    losses = model(**data, mode='loss')
    assert {'loss_cls', 'loss_bbox', 'loss_restore'} <= set(losses)
    derainer = model.task_model.data_preprocessor.derain_stage.derainer
    losses['loss_restore'].backward()
    grads = [p.grad for p in derainer.parameters()]
    assert all(g is not None for g in grads) and any(g.abs().sum() > 0 for g in grads)
    assert all(p.grad is None for p in model.task_model.backbone.parameters())
    log_vars = model.train_step(det_batch([(64, 64)], clean=True), sgd(model))
    assert 'loss_restore' in log_vars and torch.isfinite(log_vars['loss'])
    model.eval()
    with torch.no_grad():
        predictions = model.test_step(det_batch([(64, 64)]))
    assert 'pred_instances' in predictions[0]


def test_joint_restoration_loss_is_the_charbonnier_distance():
    recorder = Recorder()
    task = build_segmenter(trainable=True)
    task.data_preprocessor.derain_stage.derainer = recorder
    model = JointDerainTaskModel(task, restore_loss_weight=2.0, charbonnier_eps=1e-3)
    model.train()
    batch = seg_batch(2, clean=True)
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    # the identity derainer returns the rainy image, which is clean + 30
    # (clipped at 255)
    expected = torch.stack([
        torch.sqrt((image.float() / 255 - chw(sample.clean_img).float() / 255) ** 2
                   + 1e-6).mean() for image, sample in zip(batch['inputs'], batch['data_samples'])
    ]).mean() * 2.0
    assert torch.allclose(losses['loss_restore'], expected, atol=1e-5)
    assert 'decode.loss_ce' in losses


def test_joint_model_rejects_frozen_derainer_and_missing_clean_images():
    with pytest.raises(ValueError, match='trainable'):
        JointDerainTaskModel(build_segmenter())
    model = JointDerainTaskModel(build_segmenter(trainable=True))
    with pytest.raises(KeyError, match='KeepCleanCopy'):
        model(**model.data_preprocessor(seg_batch(1), True), mode='loss')
