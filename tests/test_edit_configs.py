"""MMagic side: configs parse and build; the Runner trains, tests, resumes
and runs distributed with DerainRestorer on tiny generated data."""
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

pytest.importorskip('mmagic')

import cv2  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

import cpra_mm  # noqa: E402,F401
import cpra_mm.edit  # noqa: E402,F401
from cpra_mm.losses import TextureEnergyLoss  # noqa: E402
from mmagic.registry import DATASETS, MODELS  # noqa: E402
from mmagic.structures import DataSample  # noqa: E402
from photos_run import PHOTOS_CONFIG  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MODEL_CONFIGS = sorted((REPO / 'configs' / 'cpraformer').glob('*.py'))
DATASET_CONFIGS = sorted((REPO / 'configs' / '_base_' / 'datasets').glob('*.py'))
PAPER_CONFIG = (REPO / 'configs' / 'cpraformer' /
                'cpraformer_paper-reference_1xb12-342800iter_rain13k.py')
TEST_SETS = ['Rain100H', 'Rain100L', 'Test100', 'Test1200', 'Test2800']


# --------------------------------------------------------------------------
# Tiny data
# --------------------------------------------------------------------------

def _clean_image(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth colour image (H x W x 3 uint8): blurred noise plus a ramp."""
    noise = rng.random((size, size, 3)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), sigmaX=size / 8)
    ramp = np.linspace(0, 1, size, dtype=np.float32)[None, :, None]
    image = 0.5 * (smooth - smooth.min()) / (np.ptp(smooth) + 1e-6) + 0.4 * ramp
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def _add_streaks(image: np.ndarray) -> np.ndarray:
    """Bright diagonal streaks on every 5th anti-diagonal (deterministic)."""
    h, w = image.shape[:2]
    rows, cols = np.mgrid[:h, :w]
    mask = ((rows + 2 * cols) % 5 == 0)[..., None]
    return np.where(mask, np.minimum(image.astype(np.int32) + 90, 255), image).astype(np.uint8)


def write_pairs(folder: Path, count: int, size: int, seed: int) -> None:
    """``folder/input`` (rainy) and ``folder/target`` (clean) PNG pairs."""
    rng = np.random.default_rng(seed)
    (folder / 'input').mkdir(parents=True, exist_ok=True)
    (folder / 'target').mkdir(parents=True, exist_ok=True)
    for index in range(count):
        clean = _clean_image(rng, size)
        cv2.imwrite(str(folder / 'target' / f'{index}.png'), clean)
        cv2.imwrite(str(folder / 'input' / f'{index}.png'), _add_streaks(clean))


def write_clean(folder: Path, count: int, size: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        cv2.imwrite(str(folder / f'{index}.png'), _clean_image(rng, size))


# --------------------------------------------------------------------------
# Config helpers
# --------------------------------------------------------------------------

def _find_transform(pipeline: List[dict], type_name: str) -> dict:
    return next(step for step in pipeline if step['type'] == type_name)


def _lighten(cfg: Config, work_dir: Path) -> Config:
    """Tiny network, no workers, no image dumps, a unique experiment."""
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'test_{uuid.uuid4().hex[:8]}'
    cfg.model.generator = dict(type='CPRAformer', preset='tiny', layout='corrected')
    cfg.model.test_cfg = dict(quantize=True)
    cfg.custom_hooks = []
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(type='LogProcessor', window_size=1, by_epoch=False)
    cfg.env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork'),
                       dist_cfg=dict(backend='gloo'))
    loaders = [cfg.train_dataloader, cfg.val_dataloader]
    loaders += cfg.test_dataloader if isinstance(cfg.test_dataloader, list) else [
        cfg.test_dataloader]
    for loader in loaders:
        loader.num_workers = 0
        loader.persistent_workers = False
    return cfg


def paired_cfg(tmp_path: Path, max_iters: int, interval: int) -> Config:
    """The paper config on generated pairs: 32 px crops, batch 2, constant lr."""
    cfg = _lighten(Config.fromfile(str(PAPER_CONFIG)), tmp_path / 'work')
    write_pairs(tmp_path / 'rain13k' / 'train', count=6, size=40, seed=0)
    (tmp_path / 'rain13k' / 'meta').mkdir()
    (tmp_path / 'rain13k' / 'meta' / 'train.txt').write_text('0.png\n1.png\n2.png\n3.png\n')
    (tmp_path / 'rain13k' / 'meta' / 'val.txt').write_text('4.png\n5.png\n')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.data_root = str(tmp_path / 'rain13k')
    _find_transform(cfg.train_dataloader.dataset.pipeline, 'PairedRandomCrop').gt_patch_size = 32
    cfg.train_dataloader.batch_size = 2
    for index, name in enumerate(TEST_SETS):
        write_pairs(tmp_path / name / 'test', count=2, size=24, seed=10 + index)
        cfg.test_dataloader[index].dataset.data_root = str(tmp_path / name / 'test')
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=interval)
    cfg.optim_wrapper.optimizer.lr = 2e-3
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint.interval = interval
    cfg.randomness = dict(seed=0)
    return cfg


class LossRecorder(Hook):
    """Keeps every training iteration's loss dict and its (1-based) number."""

    def __init__(self) -> None:
        self.records: List[Dict[str, float]] = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.records.append({k: float(v) for k, v in outputs.items()} | {'iter': runner.iter + 1})


# --------------------------------------------------------------------------
# Configs parse, models build
# --------------------------------------------------------------------------

@pytest.mark.parametrize('path', MODEL_CONFIGS, ids=lambda p: p.name)
def test_model_config_parses_and_builds(path: Path):
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == 'mmagic'
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'DerainRestorer'
    assert model.edge_loss is not None
    assert type(model.generator).__name__ == 'CPRAformer'
    assert cfg.val_cfg.type == 'MultiValLoop' and cfg.test_cfg.type == 'MultiTestLoop'
    val_keys = {m['prefix'] for m in cfg.val_evaluator}
    assert len(val_keys) == 1 and cfg.default_hooks.checkpoint.save_best == (
        f'{val_keys.pop()}/PSNR')


def _as_list(loaders_or_evaluators) -> list:
    """A test/val dataloader or evaluator config as a list of per-set items."""
    if isinstance(loaders_or_evaluators, dict):
        return [loaders_or_evaluators]
    if loaders_or_evaluators and isinstance(loaders_or_evaluators[0], dict) and (
            'type' in loaders_or_evaluators[0] and 'prefix' in loaders_or_evaluators[0]):
        return [loaders_or_evaluators]
    return list(loaders_or_evaluators)


@pytest.mark.parametrize('path', DATASET_CONFIGS, ids=lambda p: p.name)
def test_dataset_config_parses(path: Path):
    cfg = Config.fromfile(str(path))
    assert 'test_dataloader' in cfg or 'val_dataloader' in cfg
    prefixes = []
    for split in ('val', 'test'):
        if f'{split}_dataloader' not in cfg:
            continue
        loaders = _as_list(cfg[f'{split}_dataloader'])
        evaluators = _as_list(cfg[f'{split}_evaluator'])
        assert len(loaders) == len(evaluators)
        assert cfg[f'{split}_cfg'].type == f'Multi{split.capitalize()}Loop'
        for evaluator in evaluators:
            assert {m['type'] for m in evaluator} == {'PSNR', 'SSIM'}
            assert all(m['convert_to'] == 'Y' and m['crop_border'] == 0 for m in evaluator)
            assert len({m['prefix'] for m in evaluator}) == 1
            prefixes.append(evaluator[0]['prefix'])
    assert len(prefixes) == len(set(prefixes)), 'one metric prefix per set'
    if 'train_dataloader' in cfg:
        val = cfg.val_dataloader.dataset
        assert val.get('ann_file') or val.data_prefix != cfg.train_dataloader.dataset.data_prefix
        for loader in _as_list(cfg.get('test_dataloader', [])):
            test = loader.dataset
            assert (test.data_root, dict(test.data_prefix), test.get('ann_file')) != (
                val.data_root, dict(val.data_prefix), val.get('ann_file')), \
                'validation must not be a test set'


def test_five_test_sets_have_their_own_prefix():
    cfg = Config.fromfile(str(REPO / 'configs/_base_/datasets/rain13k.py'))
    assert [e[0]['prefix'] for e in cfg.test_evaluator] == TEST_SETS
    assert [d.dataset.data_root for d in cfg.test_dataloader] == [
        f'data/{name}/test' for name in TEST_SETS]


def test_paper_schedule_matches_300_epochs():
    cfg = Config.fromfile(str(PAPER_CONFIG))
    assert cfg.train_cfg.max_iters == 300 * 13_712 // 12 == 342_800
    warmup, cosine = cfg.param_scheduler
    assert warmup.end == cosine.begin == 3 * 13_712 // 12
    assert cosine.eta_min == 1e-6 and cfg.optim_wrapper.optimizer.lr == 2e-4
    assert cfg.train_dataloader.batch_size == 12
    assert _find_transform(cfg.train_dataloader.dataset.pipeline,
                           'PairedRandomCrop').gt_patch_size == 64


TEMPLATED_NAMES_CONFIG = '''
_base_ = [{template!r}]
names = dict(data_prefix=dict(img='train/data', gt='train/gt'),
             filename_tmpl=dict(img='{{}}_rain', gt='{{}}_clean'), search_key='gt')
train_dataloader = dict(dataset=names)
val_dataloader = dict(dataset=names)
'''
"""A dataset config on the paired template whose rainy and clean files are
named differently (Raindrop's ``<i>_rain.png`` / ``<i>_clean.png``)."""


@pytest.mark.parametrize('config_name, layout', [
    ('rain13k.py', {'img': 'train/input/{}.png', 'gt': 'train/target/{}.png'}),
    (None, {'img': 'train/data/{}_rain.png', 'gt': 'train/gt/{}_clean.png'}),
], ids=['rain13k', 'filename_tmpl'])
def test_make_val_split_writes_disjoint_annotations(tmp_path: Path, config_name, layout):
    for index in range(6):
        for key, template in layout.items():
            path = tmp_path / template.format(index)
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), np.full((8, 8, 3), 40 * index, np.uint8))
    datasets = REPO / 'configs' / '_base_' / 'datasets'
    if config_name is None:
        config = tmp_path / 'templated_names.py'
        config.write_text(TEMPLATED_NAMES_CONFIG.format(
            template=str(datasets / 'templates' / 'paired_deraining.py')))
    else:
        config = datasets / config_name
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'dataset_converters' / 'make_val_split.py'),
         str(config), '--num-val', '2', '--seed', '0', '--data-root', str(tmp_path)],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=f'{REPO}{os.pathsep}{os.environ.get("PYTHONPATH", "")}'))
    assert result.returncode == 0, result.stderr[-3000:]

    cfg = Config.fromfile(str(config))
    sizes, pairs = {}, {}
    with DefaultScope.overwrite_default_scope('mmagic'):
        for split in ('train', 'val'):
            dataset_cfg = cfg[f'{split}_dataloader'].dataset
            dataset_cfg.data_root = str(tmp_path)
            dataset_cfg.pipeline = []
            dataset = DATASETS.build(dataset_cfg)
            sizes[split] = len(dataset)
            pairs[split] = {(info['img_path'], info['gt_path'])
                            for info in map(dataset.get_data_info, range(len(dataset)))}
    assert sizes == {'train': 4, 'val': 2}
    assert not pairs['train'] & pairs['val']
    assert all(Path(path).exists() for split in pairs.values() for pair in split
               for path in pair)


# --------------------------------------------------------------------------
# DerainRestorer
# --------------------------------------------------------------------------

def _restorer(rain_weighting=None, local_mean_loss=None, texture_loss=None,
              texture_weighting=None, **test_cfg):
    with DefaultScope.overwrite_default_scope('mmagic'):
        return MODELS.build(dict(
            type='DerainRestorer',
            rain_weighting=rain_weighting,
            local_mean_loss=local_mean_loss,
            texture_loss=texture_loss,
            texture_weighting=texture_weighting,
            generator=dict(type='CPRAformer', preset='tiny', layout='corrected'),
            pixel_loss=dict(type='CharbonnierLoss', eps=1e-6),
            edge_loss=dict(type='LaplacianEdgeLoss', loss_weight=0.05),
            fft_loss=dict(type='FFTLoss', loss_weight=0.01),
            test_cfg=test_cfg,
            data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.],
                                   std=[255., 255., 255.])))


def _data_batch(count: int, size: int) -> dict:
    """A batch as MMagic's dataloader yields it: uint8-valued CHW tensors."""
    generator = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(count):
        sample = DataSample(gt_img=torch.randint(0, 256, (3, size, size), generator=generator))
        sample.set_metainfo(dict(img_channel_order='rgb', gt_channel_order='rgb'))
        samples.append(sample)
    inputs = [torch.randint(0, 256, (3, size, size), generator=generator) for _ in range(count)]
    return dict(inputs=inputs, data_samples=samples)


def test_restorer_logs_each_loss_term():
    model = _restorer()
    data = model.data_preprocessor(_data_batch(2, 16), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_pix', 'loss_edge', 'loss_fft'}
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in model.generator.parameters() if p.requires_grad)


def test_restorer_rain_weighting_counts_rain_covered_pixels_more():
    plain = _restorer()
    weighted = _restorer(rain_weighting=dict(emphasis=4.0, saturation=0.1))
    weighted.load_state_dict(plain.state_dict())
    data = plain.data_preprocessor(_data_batch(2, 16), training=True)
    inputs, target = data['inputs'], data['data_samples'].gt_img
    with torch.no_grad():
        charbonnier = ((plain.generator(inputs) - target) ** 2 + 1e-6).sqrt()
    weight = 1 + 4 * ((inputs - target).abs().amax(1, keepdim=True) / 0.1).clamp(max=1)
    expected = (charbonnier * weight).sum() / weight.expand_as(charbonnier).sum()
    assert torch.allclose(weighted(**data, mode='loss')['loss_pix'], expected, rtol=1e-5)
    assert torch.allclose(plain(**data, mode='loss')['loss_pix'], charbonnier.mean(), rtol=1e-5)


def test_restorer_local_mean_term_is_unweighted_block_average_charbonnier():
    model = _restorer(rain_weighting=dict(emphasis=12.0, saturation=0.1),
                      local_mean_loss=dict(type='LocalMeanLoss', block=4, loss_weight=2.0))
    data = model.data_preprocessor(_data_batch(2, 16), training=True)
    inputs, target = data['inputs'], data['data_samples'].gt_img
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_pix', 'loss_edge', 'loss_fft', 'loss_local_mean'}
    with torch.no_grad():
        cells = torch.nn.functional.avg_pool2d(model.generator(inputs) - target, 4)
    expected = 2.0 * (cells**2 + 1e-6).sqrt().mean()
    assert torch.allclose(losses['loss_local_mean'], expected, rtol=1e-5)


def test_restorer_texture_term_is_the_unweighted_texture_energy_loss():
    model = _restorer(rain_weighting=dict(emphasis=12.0, saturation=0.1),
                      texture_loss=dict(type='TextureEnergyLoss', block=4, loss_weight=2.0))
    data = model.data_preprocessor(_data_batch(2, 16), training=True)
    inputs, target = data['inputs'], data['data_samples'].gt_img
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_pix', 'loss_edge', 'loss_fft', 'loss_texture'}
    with torch.no_grad():
        expected = TextureEnergyLoss(block=4, loss_weight=2.0)(model.generator(inputs), target)
    assert expected.item() > 0
    assert torch.allclose(losses['loss_texture'], expected, rtol=1e-5)


def test_restorer_texture_weighting_counts_cells_by_their_mean_rain_weight():
    texture = dict(type='TextureEnergyLoss', block=4, loss_weight=2.0)
    model = _restorer(texture_loss=texture,
                      texture_weighting=dict(emphasis=6.0, saturation=0.1))
    data = model.data_preprocessor(_data_batch(2, 16), training=True)
    target = data['data_samples'].gt_img
    inputs = target.clone()
    inputs[:, :, 3:6] = (inputs[:, :, 3:6] + 0.5).clamp(max=1)
    data['inputs'] = inputs
    with torch.no_grad():
        cells = TextureEnergyLoss(block=4, reduction='none')(model.generator(inputs), target)
    coverage = ((inputs - target).abs().amax(1, keepdim=True) / 0.1).clamp(max=1)
    cell_weight = torch.nn.functional.avg_pool2d(1 + 6 * coverage, 4)
    assert cell_weight.amin() == 1 and cell_weight.amax() > 2
    expected = 2.0 * (cells * cell_weight).sum() / cell_weight.expand_as(cells).sum()
    losses = model(**data, mode='loss')
    assert not torch.allclose(expected, 2.0 * cells.mean(), rtol=1e-3)
    assert torch.allclose(losses['loss_texture'], expected, rtol=1e-5)


def test_restorer_texture_weighting_needs_its_keys_and_a_texture_loss():
    texture = dict(type='TextureEnergyLoss', block=4)
    with pytest.raises(ValueError, match='texture_weighting must be'):
        _restorer(texture_loss=texture, texture_weighting=dict(emphasis=6.0))
    with pytest.raises(ValueError, match='texture_loss, which is not given'):
        _restorer(texture_weighting=dict(emphasis=6.0, saturation=0.1))


def test_restorer_over_removal_weights_rain_pixels_predicted_too_dark():
    weighting = dict(emphasis=4.0, saturation=0.1)
    plain = _restorer(rain_weighting=weighting)
    asymmetric = _restorer(rain_weighting=dict(weighting, over_removal=2.0))
    asymmetric.load_state_dict(plain.state_dict())
    data = plain.data_preprocessor(_data_batch(2, 16), training=True)
    inputs, target = data['inputs'], data['data_samples'].gt_img
    with torch.no_grad():
        pred = plain.generator(inputs)
    charbonnier = ((pred - target) ** 2 + 1e-6).sqrt()
    coverage = ((inputs - target).abs().amax(1, keepdim=True) / 0.1).clamp(max=1)
    weight = (1 + 4 * coverage) * (1 + 2 * coverage * (pred < target).float())
    expected = (charbonnier * weight).sum() / weight.sum()
    assert torch.allclose(asymmetric(**data, mode='loss')['loss_pix'], expected, rtol=1e-5)


def test_restorer_rejects_an_unknown_rain_weighting_key():
    with pytest.raises(ValueError, match='rain_weighting'):
        _restorer(rain_weighting=dict(emphasis=4.0, saturatoin=0.1))


@pytest.mark.parametrize('test_cfg', [dict(), dict(quantize=True),
                                      dict(quantize=True, tile_size=16, tile_overlap=0)])
def test_restorer_predictions_are_in_pixel_range(test_cfg):
    model = _restorer(**test_cfg).eval()
    outputs = model.test_step(_data_batch(2, 24))
    assert len(outputs) == 2
    for output in outputs:
        pred = output.output.pred_img
        assert pred.shape == (3, 24, 24)
        assert pred.min() >= 0 and pred.max() <= 255
        if test_cfg.get('quantize'):
            assert torch.equal(pred, pred.round())


# --------------------------------------------------------------------------
# Runner: train, test, resume
# --------------------------------------------------------------------------

def test_training_lowers_the_loss_and_logs_each_term(tmp_path: Path):
    cfg = paired_cfg(tmp_path, max_iters=40, interval=40)
    runner = Runner.from_cfg(cfg)
    recorder = LossRecorder()
    runner.register_hook(recorder)
    runner.train()
    losses = [r['loss'] for r in recorder.records]
    assert len(losses) == 40
    assert {'loss_pix', 'loss_edge'} <= set(recorder.records[0])
    assert np.mean(losses[-8:]) < 0.8 * np.mean(losses[:8]), losses


class MetricsRecorder(Hook):
    """Keeps the metrics of the last test epoch (MMagic's MultiTestLoop
    returns none)."""

    def __init__(self) -> None:
        self.metrics: Dict[str, float] = {}

    def after_test_epoch(self, runner, metrics=None) -> None:
        self.metrics = dict(metrics or {})


def test_multi_set_test_loop_reports_every_set(tmp_path: Path):
    runner = Runner.from_cfg(paired_cfg(tmp_path, max_iters=1, interval=1))
    recorder = MetricsRecorder()
    runner.register_hook(recorder)
    runner.test()
    metrics = recorder.metrics
    for name in TEST_SETS:
        for metric in ('PSNR', 'SSIM'):
            value = metrics[f'{name}/{metric}']
            assert np.isfinite(value), (name, metric, value)
    assert 0 < metrics['Rain100H/SSIM'] <= 1


def test_resume_continues_from_the_last_checkpoint(tmp_path: Path):
    first = Runner.from_cfg(paired_cfg(tmp_path, max_iters=4, interval=2))
    first.train()
    assert (tmp_path / 'work' / 'iter_4.pth').exists()

    cfg = paired_cfg(tmp_path / 'again', max_iters=6, interval=2)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.resume = True
    second = Runner.from_cfg(cfg)
    recorder = LossRecorder()
    second.register_hook(recorder)
    second.train()
    assert [r['iter'] for r in recorder.records] == [5, 6]


# --------------------------------------------------------------------------
# Distributed (two CPU processes, gloo) through tools/train.py
# --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_two_process_cpu_training_with_torchrun(tmp_path: Path):
    root = tmp_path / 'photos'
    write_clean(root / 'train', count=4, size=64, seed=0)
    write_clean(root / 'val', count=2, size=32, seed=1)
    write_clean(root / 'test', count=1, size=32, seed=2)
    config = tmp_path / 'dist_cfg.py'
    config.write_text(f'''
_base_ = [{str(PHOTOS_CONFIG)!r}]
model = dict(generator=dict(type='CPRAformer', preset='tiny', layout='corrected'))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={str(root)!r}))
val_dataloader = dict(dataset=dict(data_root={str(root)!r}))
test_dataloader = dict(dataset=dict(data_root={str(root)!r}))
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(checkpoint=dict(interval=4), logger=dict(interval=1))
custom_hooks = []
''')
    work_dir = tmp_path / 'work'
    env = dict(os.environ, PYTHONPATH=f'{REPO}{os.pathsep}{os.environ.get("PYTHONPATH", "")}',
               OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    command = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
               f'--master_port={_free_port()}', str(REPO / 'tools' / 'train.py'), str(config),
               '--launcher', 'pytorch', '--work-dir', str(work_dir)]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (work_dir / 'iter_4.pth').exists()
    checkpoint = torch.load(work_dir / 'iter_4.pth', map_location='cpu', weights_only=False)
    assert checkpoint['meta']['iter'] == 4
