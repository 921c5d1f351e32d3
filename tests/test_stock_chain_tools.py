"""The demo chain configs (configs/demo/shapes-*_rainy.py) with the stock
MMDetection / MMSegmentation ``tools/test.py`` and ``tools/train.py``, run
by path from the installed packages, and the visualisation hooks that draw
on the image the model saw."""
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import List, Optional

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData
from torch import nn

from cpra_mm.apis.downstream_evaluation import evaluate_mode
from cpra_mm.apis.downstream_modes import derive_mode_config, mode_config
from cpra_mm.apis.downstream_report import table_metrics
from cpra_mm.apis.downstream_task import TASKS
from cpra_mm.det import DerainDetDataPreprocessor, DerainDetVisualizationHook
from cpra_mm.downstream.chain_config import (PACK_META_KEYS, add_clean_copy, add_derain_stage,
                                             add_rain, remove_rain)
from cpra_mm.seg import DerainSegDataPreProcessor, DerainSegVisualizationHook
from cpra_mm.utils.shipped_weights import (BUILTIN_DERAINER_NETWORK, builtin_derainer_checkpoint,
                                           shipped_weights)
from tool_loading import load_tool

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / 'configs' / 'demo'

CHAINS = {
    'det': ('mmdet', 'shapes_detector', 'shapes-detector'),
    'seg': ('mmseg', 'shapes_segmenter', 'shapes-segmenter'),
}
"""task -> (scope, clean demo config and weights name, chain config prefix)."""

SMALL_LOADER = {'test_dataloader.num_workers': 0, 'test_dataloader.persistent_workers': False}
"""Overrides that keep the test loader in the main process."""

TRAIN_ONE_ITERATION = ['train_cfg.max_iters=1']
"""The override that stops the (iteration-based) joint training after one
iteration."""

SMALL_TRAINING = [
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False', 'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False', 'default_hooks.logger.interval=1',
    'default_hooks.checkpoint.save_last=False', 'default_hooks.checkpoint.save_best=None'
]
"""Overrides for a quick training run in the main process that logs every
iteration and saves no checkpoint."""


@pytest.fixture(scope='module')
def workspace(tmp_path_factory) -> Path:
    """A working directory holding ``data/demo_shapes`` (2 training, 4
    validation images of the demo's size), so the configs' relative
    ``data_root`` finds it, while the configs and weights are found from
    any directory."""
    root = tmp_path_factory.mktemp('stock_chain')
    make_demo_data = load_tool('make_demo_data')
    assert make_demo_data.main(['--out', str(root / 'data' / 'demo_shapes'), '--num-train', '2',
                                '--num-val', '4']) == 0
    del sys.modules['make_demo_data']
    return root


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread, as the stock tools below get."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stock_tool(scope: str, name: str) -> Path:
    """``<site-packages>/<scope>/.mim/tools/<name>.py`` of the installed
    framework."""
    package = __import__(scope)
    path = Path(package.__file__).parent / '.mim' / 'tools' / f'{name}.py'
    assert path.is_file(), f'{scope} is installed without its tools: {path}'
    return path


def run_stock(scope: str, tool: str, args: List[str], cwd: Path) -> str:
    """Run a stock tool by path in ``cwd`` with one thread; its output."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    done = subprocess.run([sys.executable, str(stock_tool(scope, tool)), *args], cwd=cwd,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:]
    return done.stdout


def logged_metrics(work_dir: Path) -> dict:
    """The last metrics the Runner's logger wrote to its json log
    (``<timestamp>.json``): the test metrics, or those of the last
    validation."""
    logs = sorted(p for p in work_dir.rglob('*.json') if p.name != 'scalars.json')
    assert logs, f'no json log under {work_dir}'
    return json.loads(logs[-1].read_text().splitlines()[-1])


@pytest.mark.parametrize('task', ['det', 'seg'])
@pytest.mark.parametrize('mode', ['rainy', 'derained'])
def test_stock_test_matches_eval_downstream(task, mode, workspace, tmp_path, monkeypatch):
    """Stock test.py on a chain config with the shipped weights reports the
    metrics eval_downstream's API computes for that mode from the clean
    config (the edits made in memory, whole-image deraining); with
    --show-dir the cpra_mm hook draws every derained image."""
    scope, clean, prefix = CHAINS[task]
    suffix = 'rainy' if mode == 'rainy' else 'cpraformer-frozen_rainy'
    chain = DEMO / f'{prefix}_{suffix}.py'
    weights = shipped_weights(f'{clean}.pth')
    show = ['--show-dir', str(tmp_path / 'show')] if mode == 'derained' else []
    run_stock(scope, 'test', [str(chain), weights, '--work-dir', str(tmp_path / 'stock'), *show,
                              '--cfg-options', *(f'{k}={v}' for k, v in SMALL_LOADER.items())],
              workspace)
    stock = table_metrics(logged_metrics(tmp_path / 'stock'), TASKS[scope], mode)

    monkeypatch.chdir(workspace)
    clean_cfg = Config.fromfile(str(DEMO / f'{clean}.py'))
    clean_cfg.merge_from_dict(SMALL_LOADER)
    cfg = derive_mode_config(clean_cfg, mode, rain_seed=0, derainer=BUILTIN_DERAINER_NETWORK,
                             derainer_checkpoint=builtin_derainer_checkpoint())
    api = evaluate_mode(cfg, weights, str(tmp_path / 'api'), f'{task}_{mode}')
    assert stock == table_metrics(api.metrics, TASKS[scope], mode)

    hook = 'DerainDetVisualizationHook' if task == 'det' else 'DerainSegVisualizationHook'
    assert hook in (tmp_path / 'stock' / chain.name).read_text()
    if show:
        assert len(list((tmp_path / 'show').rglob('*.png'))) == 4


@pytest.mark.parametrize('task', ['det', 'seg'])
def test_stock_train_runs_the_joint_config(task, workspace, tmp_path):
    """Stock train.py, one iteration of joint fine-tuning (detection or
    segmentation losses plus loss_restore) from the shipped weights, then
    validation on the rainy images, near the shipped model's (the task
    weights were loaded)."""
    scope, _, prefix = CHAINS[task]
    work_dir = tmp_path / 'train'
    output = run_stock(scope, 'train', [
        str(DEMO / f'{prefix}_cpraformer-joint_rainy.py'), '--work-dir', str(work_dir),
        '--cfg-options', *TRAIN_ONE_ITERATION, *SMALL_TRAINING], workspace)
    assert 'loss_restore' in output
    validation = table_metrics(logged_metrics(work_dir), TASKS[scope], 'joint')
    assert validation['mAP' if task == 'det' else 'mIoU'] > (0.5 if task == 'det' else 50)


def test_demo_modes_come_from_the_chain_configs():
    """eval_downstream's demo modes are the chain files, with its seed and
    derainer options applied."""
    clean = str(DEMO / 'shapes_detector.py')
    rainy = mode_config(clean, 'rainy', rain_seed=5)
    assert rainy.filename.endswith('shapes-detector_rainy.py')
    assert rainy.test_dataloader.dataset.pipeline[1]['seed'] == 5
    derained = mode_config(clean, 'derained', derainer_checkpoint='other.pth')
    preprocessor = derained.model.data_preprocessor
    assert derained.filename.endswith('shapes-detector_cpraformer-frozen_rainy.py')
    assert preprocessor.type == 'DerainDetDataPreprocessor'
    assert preprocessor.derainer_checkpoint == 'other.pth'
    assert preprocessor.derain_tile_size == 512 and preprocessor.mean == [123.675, 116.28, 103.53]
    assert mode_config(clean, 'rainy', rainy_dir='elsewhere').filename.endswith(
        'shapes_detector.py')


def test_chain_config_edits():
    pipeline = [dict(type='mmdet.LoadImageFromFile'), dict(type='Resize', scale=(8, 8))]
    rainy = add_rain(pipeline, seed=3, density=5.0)
    assert rainy[1] == dict(type='AddRain', seed=3, density=5.0)
    assert len(pipeline) == 2, 'the input pipeline was modified'
    with pytest.raises(ValueError, match='LoadImage'):
        add_rain(pipeline[1:])
    derain = add_derain_stage(dict(type='mmseg.SegDataPreProcessor', size=(4, 4)),
                              derainer=BUILTIN_DERAINER_NETWORK, trainable=True)
    assert derain == dict(type='mmseg.DerainSegDataPreProcessor', size=(4, 4),
                          derainer=BUILTIN_DERAINER_NETWORK, trainable=True)
    assert add_derain_stage(derain, trainable=False)['trainable'] is False
    with pytest.raises(ValueError, match='only DetDataPreprocessor'):
        add_derain_stage(dict(type='BaseDataPreprocessor'))
    with pytest.raises(ValueError, match='not deraining arguments'):
        add_derain_stage(dict(type='DetDataPreprocessor'), mean=[0, 0, 0])


def test_remove_rain_edit():
    """remove_rain gives back the pipeline add_rain was given."""
    pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(8, 8))]
    rainy = add_rain(pipeline, seed=0, density=5.0)
    assert remove_rain(rainy) == pipeline
    assert len(rainy) == 3, 'the input pipeline was modified'
    with pytest.raises(ValueError, match='no AddRain'):
        remove_rain(pipeline)


def test_clean_copy_edit():
    """add_clean_copy: the rain moves behind a clean copy just before the
    pack transform, whose meta keys gain the copy's key."""
    pipeline = [dict(type='LoadImageFromFile'), dict(type='AddRain', seed=None, density=3.0),
                dict(type='Resize', scale=(8, 8)), dict(type='mmdet.PackDetInputs')]
    joint = add_clean_copy(pipeline, density=5.0)
    assert [step['type'] for step in joint] == [
        'LoadImageFromFile', 'Resize', 'KeepCleanCopy', 'AddRain', 'mmdet.PackDetInputs']
    assert joint[2] == dict(type='KeepCleanCopy', src_key='img', dst_key='clean_img')
    assert joint[3] == dict(type='AddRain', src_key='img', dst_key='img', seed=None, density=5.0)
    assert joint[4]['meta_keys'] == (*PACK_META_KEYS['PackDetInputs'], 'clean_img')
    assert len(pipeline) == 4 and 'meta_keys' not in pipeline[-1], 'the input was modified'
    own_keys = [dict(type='LoadImageFromFile'),
                dict(type='PackSegInputs', meta_keys=('img_path', ))]
    assert add_clean_copy(own_keys, clean_key='clean')[-1]['meta_keys'] == ('img_path', 'clean')
    with pytest.raises(ValueError, match='pack transform'):
        add_clean_copy(pipeline[:-1])


def test_pack_meta_keys_are_the_frameworks_defaults():
    import inspect

    from mmdet.datasets.transforms import PackDetInputs
    from mmseg.datasets.transforms import PackSegInputs

    for pack in (PackDetInputs, PackSegInputs):
        default = inspect.signature(pack).parameters['meta_keys'].default
        assert PACK_META_KEYS[pack.__name__] == default


class ConstantColour(nn.Module):
    """A 'derainer' whose output is one RGB colour everywhere."""

    def __init__(self, rgb) -> None:
        super().__init__()
        self.register_buffer('rgb', torch.tensor(rgb, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.rgb.expand_as(images).clone()


SIZE = 96
DERAINED_RGB = (0.2, 0.4, 0.6)
"""The fake derainer's colour: 51, 102, 153 at 0-255."""


def hook_case(task: str, tmp_path: Path, derain: bool):
    """A model holding only a data preprocessor (deraining to
    :data:`DERAINED_RGB`, or plain), a loader batch of one rainy image (grey
    50) whose file on disk is noise, its data sample with predictions, and
    the image the hook must draw on."""
    path = tmp_path / 'image.png'
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (SIZE, SIZE, 3), np.uint8))
    inputs = torch.full((3, SIZE, SIZE), 50, dtype=torch.uint8)
    meta = dict(img_path=str(path), ori_shape=(SIZE, SIZE), img_shape=(SIZE, SIZE),
                scale_factor=(1.0, 1.0))
    settings = dict(mean=[0, 0, 0], std=[1, 1, 1], bgr_to_rgb=True)
    if task == 'det':
        from mmdet.models.data_preprocessors import DetDataPreprocessor
        from mmdet.structures import DetDataSample
        sample = DetDataSample(metainfo=meta)
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor([[4.0, 4.0, 30.0, 30.0]]), scores=torch.tensor([0.9]),
            labels=torch.tensor([0]))
        plain, deraining = DetDataPreprocessor, DerainDetDataPreprocessor
    else:
        from mmseg.models.data_preprocessor import SegDataPreProcessor
        from mmseg.structures import SegDataSample
        sample = SegDataSample(metainfo=meta)
        labels = torch.zeros(1, SIZE, SIZE, dtype=torch.long)
        labels[:, :20, :20] = 1
        sample.pred_sem_seg = PixelData(data=labels)
        plain, deraining = SegDataPreProcessor, DerainSegDataPreProcessor
    model = nn.Module()
    model.data_preprocessor = (deraining(derainer=ConstantColour(DERAINED_RGB), **settings)
                               if derain else plain(**settings))
    expected = (np.tile(np.round(np.array(DERAINED_RGB) * 255), (SIZE, SIZE, 1))
                if derain else np.full((SIZE, SIZE, 3), 50)).astype(np.uint8)
    return model, dict(inputs=[inputs], data_samples=[sample]), sample, expected


def draw_with(visualizer, image: np.ndarray, sample, out_file: Path,
              score_thr: Optional[float]) -> np.ndarray:
    """What ``visualizer`` draws for ``sample`` on ``image`` (BGR, as written)."""
    options = {} if score_thr is None else dict(pred_score_thr=score_thr)
    visualizer.add_datasample('expected', image, data_sample=sample, out_file=str(out_file),
                              **options)
    return cv2.imread(str(out_file))


@pytest.mark.parametrize('derain', [True, False], ids=['derained', 'rainy'])
@pytest.mark.parametrize('task', ['det', 'seg'])
def test_hook_draws_on_what_the_model_saw(task, derain, tmp_path):
    """The hook's picture is the visualiser's drawing on the derain stage's
    output (or the loader's rainy image), not on the file on disk."""
    from mmdet.visualization import DetLocalVisualizer
    from mmseg.visualization import SegLocalVisualizer

    model, batch, sample, expected = hook_case(task, tmp_path, derain)
    runner = SimpleNamespace(model=model, work_dir=str(tmp_path), timestamp='run', iter=0)
    name = f'hook_{task}_{derain}'
    if task == 'det':
        visualizer = DetLocalVisualizer.get_instance(name)
        visualizer.dataset_meta = dict(classes=('disk', ), palette=[(230, 25, 75)])
        hook = DerainDetVisualizationHook(draw=True, test_out_dir='show')
        score_thr: Optional[float] = hook.score_thr
    else:
        visualizer = SegLocalVisualizer.get_instance(
            name, vis_backends=[dict(type='LocalVisBackend')], save_dir=str(tmp_path / 'vis'))
        visualizer.dataset_meta = dict(classes=('background', 'disk'),
                                       palette=[(0, 0, 0), (230, 25, 75)])
        hook = DerainSegVisualizationHook(draw=True, interval=1)
        score_thr = None
    hook.before_test_epoch(runner)
    model.data_preprocessor(batch)  # the model's test step
    hook.after_test_iter(runner, 0, batch, [sample])
    hook.after_test_epoch(runner)
    assert hook.recorder.stage is None, 'the recorder stays attached after the epoch'

    written = sorted(tmp_path.glob('run/show/*.png') if task == 'det'
                     else (tmp_path / 'vis').rglob('*.png'))
    assert len(written) == 1
    picture = cv2.imread(str(written[0]))
    on_derained = draw_with(visualizer, expected, sample, tmp_path / 'expected.png', score_thr)
    on_disk = draw_with(visualizer, mmcv.imread(sample.img_path, channel_order='rgb'), sample,
                        tmp_path / 'disk.png', score_thr)
    np.testing.assert_array_equal(picture, on_derained)
    assert not np.array_equal(picture, on_disk)
    if task == 'det':  # ground truth | predictions; no ground truth: the bare image
        np.testing.assert_array_equal(picture[:, :SIZE], expected[..., ::-1])
