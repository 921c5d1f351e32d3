"""Two training iterations of the built-in photos config
(``configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py``)
on tiny generated photographs, for tests that drive whole command-line
tools (stock MMagic tools, mim).

The config reads clean images from ``<root>/{train,val,test}`` (the layout
of ``configs/_base_/datasets/builtin_photos_rain.py``) and draws the rain
itself (``AddRain``), so only clean images are written.
"""
import re
from pathlib import Path
from typing import List

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
PHOTOS_CONFIG = (REPO / 'configs' / 'cpraformer' /
                 'cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py')
TRAIN_ITERS = 2
CHECKPOINT_NAME = f'iter_{TRAIN_ITERS}.pth'
"""The checkpoint a :func:`photos_cfg_options` training run ends with."""
SPLITS = {'train': (2, 72), 'val': (1, 32), 'test': (1, 32)}
"""Images per split and their side: training crops are 64 x 64."""


def smooth_photo(rng: np.random.Generator, size: int) -> np.ndarray:
    """A ``size x size`` BGR uint8 image: blurred colour noise over a ramp."""
    noise = cv2.GaussianBlur(rng.random((size, size, 3)).astype(np.float32), (0, 0),
                             sigmaX=size / 8)
    ramp = np.linspace(0, 1, size, dtype=np.float32)[None, :, None]
    image = 0.5 * (noise - noise.min()) / (np.ptp(noise) + 1e-6) + 0.4 * ramp
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def write_photos(root: Path, seed: int = 0) -> Path:
    """Write :data:`SPLITS` of :func:`smooth_photo` images as
    ``root/<split>/<index>.png``; return ``root``."""
    rng = np.random.default_rng(seed)
    for split, (count, size) in SPLITS.items():
        (root / split).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            cv2.imwrite(str(root / split / f'{index}.png'), smooth_photo(rng, size))
    return root


def photos_cfg_options(data_root: Path) -> List[str]:
    """``--cfg-options`` values that run the photos config on
    :func:`write_photos` data: the tiny network, :data:`TRAIN_ITERS`
    iterations of batch 2, one validation and one checkpoint at the end,
    no data workers and no image dumps."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_cfg.max_iters={TRAIN_ITERS}',
        f'train_cfg.val_interval={TRAIN_ITERS}',
        f'default_hooks.checkpoint.interval={TRAIN_ITERS}',
        'default_hooks.logger.interval=1',
        'log_processor.window_size=1',
        'model.generator.preset=tiny',
        'custom_hooks=[]',
    ]


def logged_metric(log: str, name: str) -> float:
    """The last value the Runner logged for metric ``name`` (e.g.
    ``photos-test/PSNR``) in ``log``.

    Raises:
        AssertionError: the metric was not logged.
    """
    values = re.findall(rf'{re.escape(name)}: (-?[0-9.]+|inf|nan)', log)
    assert values, f'{name} not in the output:\n{log[-3000:]}'
    return float(values[-1])
