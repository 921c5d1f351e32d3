"""configs/downstream: every config parses and builds, keeps the stock
normalisation, adds fixed rain to its test pipeline, RainCityscapes' file
naming resolves to Cityscapes labels, a model built and tested by
MMEngine's Runner holds the derainer checkpoint's weights, and the joint
configs train an iteration on tiny COCO and Cityscapes data."""
import json
from pathlib import Path
from typing import List

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.hub import get_config
from mmengine.registry import MODELS, DefaultScope
from mmengine.runner import Runner

import cpra_mm  # noqa: F401
import cpra_mm.det  # noqa: F401
import cpra_mm.seg  # noqa: F401
from cpra_mm.downstream import DerainPreprocessingMixin, JointDerainTaskModel
from cpra_mm.models import CPRAformer
from mmseg.registry import DATASETS as MMSEG_DATASETS

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / 'configs' / 'downstream'
CONFIGS = sorted(CONFIG_DIR.glob('*.py'))
TINY_DERAINER = dict(type='CPRAformer', preset='tiny', layout='corrected')
STOCK = {
    'faster-rcnn_r50_fpn_1x_coco': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    'retinanet_r50_fpn_1x_coco': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'deeplabv3plus_r50-d8_4xb2-80k': ('mmseg::deeplabv3plus/'
                                      'deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py'),
    'segformer_mit-b0_8xb1-160k': ('mmseg::segformer/'
                                   'segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py'),
}
NORMALISATION = ('mean', 'std', 'bgr_to_rgb', 'pad_size_divisor', 'size', 'pad_val',
                 'seg_pad_val')


def stock_config_of(path: Path) -> Config:
    prefix = next(p for p in STOCK if path.name.startswith(p))
    return get_config(STOCK[prefix])


def task_model_cfg(cfg: Config) -> ConfigDict:
    """The detector/segmenter config (inside the joint wrapper if any)."""
    return cfg.model.task_model if cfg.model.type == 'JointDerainTaskModel' else cfg.model


def without_downloads(cfg: Config) -> Config:
    """No pretrained weights anywhere."""
    task = task_model_cfg(cfg)
    task.backbone.init_cfg = None
    task.init_cfg = None
    if 'pretrained' in task:
        task.pretrained = None
    return cfg


def build(cfg: Config) -> torch.nn.Module:
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


def rain_steps(pipeline: List[dict]) -> List[dict]:
    return [step for step in pipeline if step['type'] == 'AddRain']


# --------------------------------------------------------------------------
# Every config
# --------------------------------------------------------------------------

def test_configs_exist():
    names = {path.name for path in CONFIGS}
    assert {'faster-rcnn_r50_fpn_1x_coco-rain_cpraformer.py',
            'retinanet_r50_fpn_1x_coco-rain_cpraformer.py',
            'deeplabv3plus_r50-d8_4xb2-80k_cityscapes-rain_cpraformer.py',
            'deeplabv3plus_r50-d8_4xb2-80k_raincityscapes_cpraformer.py',
            'segformer_mit-b0_8xb1-160k_cityscapes-rain_cpraformer.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds(path: Path):
    cfg = without_downloads(Config.fromfile(path))
    task = task_model_cfg(cfg)
    stock = stock_config_of(path).model.data_preprocessor
    for key in NORMALISATION:
        assert task.data_preprocessor.get(key) == stock.get(key), key
    derains = 'cpraformer' in path.stem
    assert task.data_preprocessor.type.startswith('Derain') == derains

    if 'raincityscapes' not in path.stem:
        test_rain = rain_steps(cfg.test_dataloader.dataset.pipeline)
        assert len(test_rain) == 1 and isinstance(test_rain[0]['seed'], int)
        train_rain = rain_steps(cfg.train_dataloader.dataset.pipeline)
        assert len(train_rain) == 1 and train_rain[0]['seed'] is None
        if 'tta_pipeline' in cfg:
            assert len(rain_steps(cfg.tta_pipeline)) == 1

    model = build(cfg)
    joint = path.stem.endswith('-joint')
    assert isinstance(model, JointDerainTaskModel) == joint
    preprocessor = (model.task_model if joint else model).data_preprocessor
    assert isinstance(preprocessor, DerainPreprocessingMixin) == derains
    if derains:
        assert preprocessor.derain_stage.trainable == joint
        assert isinstance(preprocessor.derain_stage.derainer, CPRAformer)
        assert preprocessor.derain_stage.channel_order == 'bgr'


@pytest.mark.parametrize('path', [p for p in CONFIGS if p.stem.endswith('-joint')],
                         ids=lambda p: p.stem)
def test_joint_configs_pack_the_clean_copy(path: Path):
    pipeline = Config.fromfile(path).train_dataloader.dataset.pipeline
    types = [step['type'] for step in pipeline]
    assert types[-3:-1] == ['KeepCleanCopy', 'AddRain']
    assert 'clean_img' in pipeline[-1]['meta_keys']


# --------------------------------------------------------------------------
# RainCityscapes
# --------------------------------------------------------------------------

def write_png(path: Path, shape) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.zeros(shape, np.uint8))


def test_raincityscapes_names_resolve_to_cityscapes_labels(tmp_path: Path):
    cfg = Config.fromfile(CONFIG_DIR / 'deeplabv3plus_r50-d8_4xb2-80k_raincityscapes_cpraformer.py')
    scene = 'lindau/lindau_000003_000019'
    suffixes = cfg.raincityscapes_suffixes
    assert len(suffixes) == 36
    assert ('_leftImg8bit_rain_alpha_0.01_beta_0.005_dropsize_0.01_pattern_1.png' in suffixes)
    for suffix in suffixes:
        write_png(tmp_path / 'leftImg8bit_rain' / 'val' / f'{scene}{suffix}', (4, 8, 3))
    write_png(tmp_path / 'leftImg8bit' / 'val' / f'{scene}_leftImg8bit.png', (4, 8, 3))
    write_png(tmp_path / 'gtFine' / 'val' / f'{scene}_gtFine_labelTrainIds.png', (4, 8))
    label = str(tmp_path / 'gtFine' / 'val' / f'{scene}_gtFine_labelTrainIds.png')

    rainy = cfg.test_dataloader.dataset
    for dataset in rainy.datasets:
        # no serialisation: its gc.collect() per dataset costs ~1 s here
        dataset.update(data_root=str(tmp_path), serialize_data=False)
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = MMSEG_DATASETS.build(rainy)
    assert len(dataset) == 36
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert {info['seg_map_path'] for info in infos} == {label}
    assert len({info['img_path'] for info in infos}) == 36

    clean = Config.fromfile(
        CONFIG_DIR / 'deeplabv3plus_r50-d8_4xb2-80k_raincityscapes_clean.py').test_dataloader
    (tmp_path / clean.dataset.ann_file).write_text(scene + '\n')
    clean.dataset.data_root = str(tmp_path)
    with DefaultScope.overwrite_default_scope('mmseg'):
        clean_set = MMSEG_DATASETS.build(clean.dataset)
    assert len(clean_set) == 1 and clean_set.get_data_info(0)['seg_map_path'] == label


# --------------------------------------------------------------------------
# Runner: the derainer checkpoint is in the model the Runner builds and tests
# --------------------------------------------------------------------------

def save_derainer_checkpoint(path: Path) -> dict:
    """An MMagic-style checkpoint of a tiny CPRAformer; returns its weights."""
    torch.manual_seed(3)
    weights = CPRAformer(preset='tiny', layout='corrected').state_dict()
    torch.save({'meta': {'iter': 10}, 'state_dict': {f'generator.{k}': v
                                                     for k, v in weights.items()}}, path)
    return weights


def write_tiny_coco(root: Path) -> None:
    """Two 64 x 64 images with one 'person' box each, in COCO format."""
    rng = np.random.default_rng(0)
    images, annotations = [], []
    for index in range(2):
        name = f'{index:03d}.png'
        image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
        image[16:40, 20:44] = 220
        write_png(root / 'images' / name, (64, 64, 3))
        cv2.imwrite(str(root / 'images' / name), image)
        images.append(dict(id=index + 1, file_name=name, height=64, width=64))
        annotations.append(dict(id=index + 1, image_id=index + 1, category_id=1,
                                bbox=[20, 16, 24, 24], area=576, iscrowd=0))
    (root / 'ann.json').write_text(json.dumps(dict(
        images=images, annotations=annotations,
        categories=[dict(id=1, name='person')])))


def test_runner_test_uses_the_derainer_checkpoint(tmp_path: Path):
    derainer_path = tmp_path / 'derainer.pth'
    derainer_weights = save_derainer_checkpoint(derainer_path)
    write_tiny_coco(tmp_path)

    # a plain detector checkpoint (no derainer keys), as the model zoo has
    plain = get_config(STOCK['faster-rcnn_r50_fpn_1x_coco'])
    plain.model.backbone.init_cfg = None
    plain.model.roi_head.bbox_head.num_classes = 1
    detector = build(plain)
    detector_path = tmp_path / 'detector.pth'
    torch.save({'meta': {}, 'state_dict': detector.state_dict()}, detector_path)

    cfg = Config.fromfile(CONFIG_DIR / 'faster-rcnn_r50_fpn_1x_coco-rain_cpraformer.py')
    cfg.model.backbone.init_cfg = None
    cfg.model.roi_head.bbox_head.num_classes = 1
    cfg.model.data_preprocessor.derainer = TINY_DERAINER
    cfg.model.data_preprocessor.derainer_checkpoint = str(derainer_path)
    loader = cfg.test_dataloader
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader.dataset.update(data_root=str(tmp_path), ann_file='ann.json',
                          data_prefix=dict(img='images/'), metainfo=dict(classes=('person', )))
    for step in loader.dataset.pipeline:
        if step['type'] == 'Resize':
            step['scale'] = (64, 64)
    cfg.test_evaluator.ann_file = str(tmp_path / 'ann.json')
    cfg.work_dir = str(tmp_path / 'work')
    cfg.load_from = str(detector_path)

    runner = Runner.from_cfg(cfg)
    derainer = runner.model.data_preprocessor.derain_stage.derainer
    calls = []
    derainer.register_forward_hook(lambda module, args, output: calls.append(args[0].shape))
    runner.test()

    # one batch of two, one pass (the chains' default; no mirror ensemble)
    assert calls == [torch.Size([2, 3, 64, 64])]
    loaded = derainer.state_dict()
    assert all(torch.equal(loaded[k], derainer_weights[k]) for k in derainer_weights)
    assert torch.equal(runner.model.backbone.conv1.weight.cpu(), detector.backbone.conv1.weight)
    assert not derainer.training


def test_runner_builds_segmenter_with_the_derainer_checkpoint(tmp_path: Path):
    derainer_path = tmp_path / 'derainer.pth'
    derainer_weights = save_derainer_checkpoint(derainer_path)
    cfg = without_downloads(Config.fromfile(
        CONFIG_DIR / 'segformer_mit-b0_8xb1-160k_cityscapes-rain_cpraformer.py'))
    cfg.model.data_preprocessor.derainer = TINY_DERAINER
    cfg.model.data_preprocessor.derainer_checkpoint = str(derainer_path)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    loaded = runner.model.data_preprocessor.derain_stage.derainer.state_dict()
    assert all(torch.equal(loaded[k], derainer_weights[k]) for k in derainer_weights)


# --------------------------------------------------------------------------
# Joint fine-tuning: one training iteration on tiny data in each format
# --------------------------------------------------------------------------

def write_tiny_cityscapes(root: Path) -> None:
    """Two 64 x 64 training images of one city, in Cityscapes' layout, with
    train-id label maps (road below, sky above, a car in the middle)."""
    rng = np.random.default_rng(0)
    labels = np.zeros((64, 64), np.uint8)
    labels[:32] = 10
    labels[24:40, 20:44] = 13
    for index in range(2):
        name = f'aachen/aachen_{index:06d}_000019'
        image = root / 'leftImg8bit' / 'train' / f'{name}_leftImg8bit.png'
        label = root / 'gtFine' / 'train' / f'{name}_gtFine_labelTrainIds.png'
        for path, array in ((image, rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)),
                            (label, labels)):
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), array)


def tiny_coco_training(cfg: Config, root: Path) -> None:
    """Train the COCO config on :func:`write_tiny_coco`'s images at 64 x 64."""
    write_tiny_coco(root)
    cfg.train_dataloader.dataset.update(data_root=str(root), ann_file='ann.json',
                                        data_prefix=dict(img='images/'),
                                        metainfo=dict(classes=('person', )))
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'Resize':
            step['scale'] = (64, 64)
    cfg.train_cfg.max_epochs = 1


def tiny_cityscapes_training(cfg: Config, root: Path) -> None:
    """Train the Cityscapes config on :func:`write_tiny_cityscapes`'s images,
    64 x 64 crops of images resized to 128 x 64."""
    write_tiny_cityscapes(root)
    cfg.train_dataloader.dataset.data_root = str(root)
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'RandomResize':
            step['scale'] = (128, 64)
        elif step['type'] == 'RandomCrop':
            step['crop_size'] = (64, 64)
    cfg.model.task_model.data_preprocessor.size = (64, 64)
    cfg.train_cfg.max_iters = 1


TINY_TRAINING = {
    'faster-rcnn_r50_fpn_1x_coco-rain_cpraformer-joint': tiny_coco_training,
    'deeplabv3plus_r50-d8_4xb2-80k_cityscapes-rain_cpraformer-joint': tiny_cityscapes_training,
}
"""Joint config -> how it trains on tiny generated data in its format."""


@pytest.mark.parametrize('name', sorted(TINY_TRAINING))
def test_joint_config_trains_one_iteration(name: str, tmp_path: Path):
    """MMEngine's Runner trains the joint config one iteration (batch of 2)
    on tiny data in its dataset's format: the task losses and loss_restore
    are computed, and the derainer (the checkpoint given) learns."""
    cfg = without_downloads(Config.fromfile(CONFIG_DIR / f'{name}.py'))
    derainer_path = tmp_path / 'derainer.pth'
    derainer_weights = save_derainer_checkpoint(derainer_path)
    cfg.model.task_model.data_preprocessor.update(derainer=TINY_DERAINER,
                                                  derainer_checkpoint=str(derainer_path))
    TINY_TRAINING[name](cfg, tmp_path / 'data')
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = None
    cfg.work_dir = str(tmp_path / 'work')

    runner = Runner.from_cfg(cfg)
    runner.train()

    assert runner.iter == 1
    logged = list(runner.message_hub.log_scalars)
    task_losses = [key for key in logged if 'loss' in key.split('/')[-1]
                   and key not in ('train/loss', 'train/loss_restore')]
    assert 'train/loss_restore' in logged and task_losses, logged
    derainer = runner.model.task_model.data_preprocessor.derain_stage.derainer.state_dict()
    assert not all(torch.equal(derainer[k], derainer_weights[k]) for k in derainer_weights)
