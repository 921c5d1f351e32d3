"""Training rain follows ``randomness.seed``: ``AddRain(seed=None)`` draws from
numpy's global random state, which MMEngine seeds in the main process and in
every dataloader worker; a fixed ``seed`` keeps its per-file rain."""
import uuid
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np
import pytest

pytest.importorskip('mmagic')

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

import cpra_mm  # noqa: E402,F401
import cpra_mm.edit  # noqa: E402,F401
from cpra_mm.datasets.transforms import AddRain  # noqa: E402
from photos_run import PHOTOS_CONFIG  # noqa: E402


def _clean(seed: int, size: int = 48) -> np.ndarray:
    """A smooth RGB test image, ``size x size x 3`` uint8."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.random((size, size, 3)).astype(np.float32), (0, 0), 4)
    return (255 * (noise - noise.min()) / np.ptp(noise)).astype(np.uint8)


# --------------------------------------------------------------------------
# The transform alone
# --------------------------------------------------------------------------

def _rain(transform: AddRain, image: np.ndarray, path: str = 'a.png') -> np.ndarray:
    return transform(dict(img=image.copy(), img_path=path))['img']


def test_unseeded_rain_follows_numpys_global_state():
    transform, image = AddRain(), _clean(0)
    np.random.seed(7)
    first = _rain(transform, image)
    np.random.seed(7)
    again = _rain(transform, image)
    np.random.seed(8)
    other = _rain(transform, image)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, _rain(transform, image)), 'fresh rain on every call'


def test_seeded_rain_ignores_and_keeps_numpys_global_state():
    transform, image = AddRain(seed=3), _clean(0)
    np.random.seed(7)
    first = _rain(transform, image)
    state = np.random.get_state()[1].copy()
    np.random.seed(8)
    assert np.array_equal(first, _rain(transform, image))
    assert not np.array_equal(first, _rain(transform, image, path='b.png'))
    np.random.seed(7)
    _rain(transform, image)
    assert np.array_equal(np.random.get_state()[1], state), 'a fixed seed draws nothing global'


# --------------------------------------------------------------------------
# Through MMEngine's Runner (dataloader worker seeded by worker_init_fn)
# --------------------------------------------------------------------------

class FirstBatchRecorder(Hook):
    """Keeps the first training batch's rainy inputs and the first loss."""

    def __init__(self) -> None:
        self.inputs: List[torch.Tensor] = []
        self.losses: Dict[str, float] = {}

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.inputs:
            self.inputs = [image.clone() for image in data_batch['inputs']]

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.losses:
            self.losses = {key: float(torch.as_tensor(value).detach())
                           for key, value in outputs.items()}


@pytest.fixture(scope='module')
def photo_root(tmp_path_factory) -> Path:
    """Four clean 80 x 80 training photos (64 x 64 crops are taken)."""
    root = tmp_path_factory.mktemp('photos')
    (root / 'train').mkdir()
    for index in range(4):
        cv2.imwrite(str(root / 'train' / f'{index}.png'), _clean(index, size=80))
    return root


def _first_batch(photo_root: Path, work_dir: Path, seed: int) -> FirstBatchRecorder:
    """One training iteration of the photos config (tiny network, batch 2,
    one dataloader worker, no validation) with ``randomness.seed=seed``."""
    cfg = Config.fromfile(str(PHOTOS_CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'rain_seeding_{uuid.uuid4().hex[:8]}'
    cfg.randomness = dict(seed=seed)
    cfg.model.generator = dict(type='CPRAformer', preset='tiny', layout='corrected')
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.num_workers = 1
    cfg.train_dataloader.persistent_workers = False
    cfg.train_dataloader.dataset.data_root = str(photo_root)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1000)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.param_scheduler = None
    cfg.custom_hooks = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork'),
                       dist_cfg=dict(backend='gloo'))
    runner = Runner.from_cfg(cfg)
    recorder = FirstBatchRecorder()
    runner.register_hook(recorder)
    runner.train()
    return recorder


def test_training_rain_follows_randomness_seed(photo_root: Path, tmp_path: Path):
    first = _first_batch(photo_root, tmp_path / 'first', seed=0)
    again = _first_batch(photo_root, tmp_path / 'again', seed=0)
    other = _first_batch(photo_root, tmp_path / 'other', seed=1)

    assert len(first.inputs) == 2
    assert all(torch.equal(a, b) for a, b in zip(first.inputs, again.inputs))
    assert first.losses['loss'] == pytest.approx(again.losses['loss'], rel=1e-6)
    assert not all(torch.equal(a, b) for a, b in zip(first.inputs, other.inputs))
