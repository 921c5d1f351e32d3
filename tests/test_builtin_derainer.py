"""The shipped derainers (the default, stage twenty-one's control; the one trained from
random weights; stages three to six, nine, eleven, twelve, fifteen, sixteen and twenty-one) load, remove
upright rain and, with streak alignment, rain slanted past their training angles, and leave a
dry image alone; the chain configs build the network the default's weights fit."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine import Config
from skimage import data as skimage_data

from cpra_mm.apis import BUILTIN_CHECKPOINT, derain, init_derainer
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for
from cpra_mm.utils.derainer_checkpoint import checkpoint_meta, read_checkpoint
from cpra_mm.utils.shipped_weights import BUILTIN_DERAINER_NETWORK, WEIGHTS_DIR

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'

STAGE_THREE = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze.pth'
FROM_RANDOM_WEIGHTS = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch.pth'
STAGE_FOUR = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.pth'
STAGE_FIVE = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry.pth'
STAGE_SIX = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain.pth'
STAGE_NINE = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines.pth'
STAGE_ELEVEN = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage11-more-plain-rain.pth'
STAGE_TWELVE = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.pth'
STAGE_FIFTEEN = (WEIGHTS_DIR /
                 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage15-rain-emphasis-local-mean4.pth')
STAGE_SIXTEEN = WEIGHTS_DIR / 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage16-over-removal.pth'
STAGE_TWENTY_ONE = (WEIGHTS_DIR /
                    'cpraformer_small_deep-corrected_1xb8-600iter_photo-corpus-stage21-grown.pth')


def _psnr(reference: np.ndarray, image: np.ndarray) -> float:
    mse = np.mean((reference.astype(np.float64) - image.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


@pytest.fixture(scope='module', params=[None, FROM_RANDOM_WEIGHTS, STAGE_THREE, STAGE_FOUR, STAGE_FIVE,
                        STAGE_SIX, STAGE_NINE, STAGE_ELEVEN, STAGE_TWELVE, STAGE_FIFTEEN,
                                      STAGE_SIXTEEN, STAGE_TWENTY_ONE],
                ids=['default', 'scratch', 'stage3', 'stage4', 'stage5', 'stage6', 'stage9',
                     'stage11', 'stage12', 'stage15', 'stage16', 'stage21'])
def builtin(request):
    torch.set_num_threads(1)
    return init_derainer(checkpoint=None if request.param is None else str(request.param))


@pytest.fixture(scope='module')
def clean() -> np.ndarray:
    """128 x 128 RGB uint8 crop of a photograph the model never trained on
    (scikit-image's rocket, in the photo corpus's held-out test split)."""
    return cv2.resize(skimage_data.rocket(), (192, 128), interpolation=cv2.INTER_AREA)[:, 32:160]


def test_builtin_weights_remove_generated_rain(builtin, clean):
    rain = RainParams(density=(30, 40), length=(20, 30), angle=(-15, 15), width=(1, 2),
                      intensity=(0.5, 0.7), layers=2)
    rainy = RainStreakRenderer(rain)(clean, generator_for(0, 'rocket'))
    with torch.no_grad():
        restored = derain(builtin, rainy, tile_size=None)
    assert _psnr(clean, restored) > _psnr(clean, rainy) + 3.0


def test_builtin_weights_leave_a_dry_image_nearly_unchanged(builtin, clean):
    with torch.no_grad():
        restored = derain(builtin, clean, tile_size=None)
    assert _psnr(clean, restored) > 33.0


def test_streak_alignment_removes_rain_slanted_past_the_training_angles(builtin, clean):
    rain = RainParams(density=(30, 40), length=(20, 30), angle=(38, 42), width=(1, 2),
                      intensity=(0.5, 0.7), layers=2)
    rainy = RainStreakRenderer(rain)(clean, generator_for(0, 'rocket'))
    with torch.no_grad():
        aligned = derain(builtin, rainy, tile_size=None)
        alone = derain(builtin, rainy, tile_size=None, align_streaks=False)
    assert _psnr(clean, aligned) > _psnr(clean, alone) + 1.5
    assert _psnr(clean, aligned) > _psnr(clean, rainy) + 3.0


def test_the_builtin_network_is_the_one_its_weights_fit():
    meta = checkpoint_meta(read_checkpoint(BUILTIN_CHECKPOINT))
    assert dict(type='CPRAformer', preset=meta['preset'], layout=meta['layout']) == \
        BUILTIN_DERAINER_NETWORK


@pytest.mark.parametrize('config', ['downstream/_base_/cpraformer_derainer.py',
                                    'demo/shapes-detector_cpraformer-frozen_rainy.py',
                                    'demo/shapes-segmenter_cpraformer-joint_rainy.py'])
def test_chain_configs_build_the_builtin_network(config):
    """The chain configs' derainer is the network of the built-in weights,
    so `--cfg-options ...derainer_checkpoint=<built-in>` loads."""
    cfg = Config.fromfile(CONFIGS / config)
    if 'model' not in cfg:
        derainer = cfg.derain_preprocessor.derainer
    elif 'task_model' in cfg.model:
        derainer = cfg.model.task_model.data_preprocessor.derainer
    else:
        derainer = cfg.model.data_preprocessor.derainer
    assert dict(derainer) == BUILTIN_DERAINER_NETWORK
