"""The mirror ensemble: flip_ensemble_forward, and its switch in derain(),
DerainStage, the derain data preprocessors, the chain configs and
tools/derain.py."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from cpra_mm.apis import derain
from cpra_mm.downstream.chain_config import add_derain_stage
from cpra_mm.downstream.derain_stage import DerainStage
from cpra_mm.models import flip_ensemble_forward, inference_forward
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for

REPO = Path(__file__).resolve().parents[1]


class ColumnRampDerainer(torch.nn.Module):
    """Adds ``step`` times the column index and records every batch: its
    output depends on where a pixel is, so a mirror pass differs."""

    def __init__(self, step: float = 0.01):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(()))
        self.step = step
        self.calls = []

    def forward(self, images):
        self.calls.append(images.detach().clone())
        columns = torch.arange(images.shape[-1], dtype=images.dtype)
        return images * self.weight + self.step * columns


def _image(height: int = 16, width: int = 24) -> torch.Tensor:
    """``1 x 3 x height x width`` in [0, 0.5], not mirror-symmetric."""
    generator = torch.Generator().manual_seed(0)
    return torch.rand(1, 3, height, width, generator=generator) * 0.5


def test_mirror_pass_is_mirrored_back_and_averaged():
    images = _image(width=24)
    derainer = ColumnRampDerainer(step=0.01)
    out = flip_ensemble_forward(derainer, images)
    torch.testing.assert_close(derainer.calls[0], images, rtol=0, atol=0)
    torch.testing.assert_close(derainer.calls[1], images.flip(-1), rtol=0, atol=0)
    # column c gets 0.01 * c from the plain pass and 0.01 * (23 - c) from the
    # mirrored one: their mean is 0.01 * 11.5 everywhere
    torch.testing.assert_close(out, images + 0.115, rtol=0, atol=1e-6)


def test_a_mirror_equivariant_derainer_is_unchanged():
    images = _image()

    def darken(batch):
        return batch * 0.8
    torch.testing.assert_close(flip_ensemble_forward(darken, images), images * 0.8,
                               rtol=0, atol=0)


def test_derain_runs_one_pass_by_default_and_the_mirror_ensemble_when_asked():
    images = _image()
    derainer = ColumnRampDerainer()
    single = derain(derainer, images, tile_size=None, align_streaks=False)
    assert len(derainer.calls) == 1
    torch.testing.assert_close(derainer.calls[0], images, rtol=0, atol=0)
    ensembled = derain(derainer, images, tile_size=None, align_streaks=False, flip_ensemble=True)
    assert len(derainer.calls) == 3
    torch.testing.assert_close(derainer.calls[1], images, rtol=0, atol=0)
    torch.testing.assert_close(derainer.calls[2], images.flip(-1), rtol=0, atol=0)
    columns = 0.01 * torch.arange(images.shape[-1], dtype=images.dtype)
    torch.testing.assert_close(single, (images + columns).clamp(0, 1), rtol=0, atol=1e-6)
    torch.testing.assert_close(ensembled, images + 0.115, rtol=0, atol=1e-6)


def test_derain_mirrors_each_tile():
    images = _image(height=32, width=48)
    derainer = ColumnRampDerainer(step=0.0)
    out = derain(derainer, images, tile_size=32, overlap=8, align_streaks=False,
                 flip_ensemble=True)
    assert len(derainer.calls) == 4
    assert all(call.shape[-1] == 32 for call in derainer.calls)
    torch.testing.assert_close(out, images, rtol=0, atol=1e-6)


def test_derain_stage_mirrors_gradient_free_calls_only():
    images = _image() * 255
    derainer = ColumnRampDerainer()
    stage = DerainStage(derainer, channel_order='rgb', trainable=True, align_streaks=False,
                        flip_ensemble=True)
    assert 'flip_ensemble=True' in repr(stage)
    with torch.no_grad():
        stage(images)
    assert len(derainer.calls) == 2
    torch.testing.assert_close(derainer.calls[1], images.flip(-1) / 255)
    stage(images)
    assert len(derainer.calls) == 3
    torch.testing.assert_close(derainer.calls[2], images / 255)
    single = DerainStage(ColumnRampDerainer(), channel_order='rgb', align_streaks=False)
    with torch.no_grad():
        single(images)
    assert len(single.derainer.calls) == 1
    assert 'flip_ensemble=False' in repr(single)


@pytest.mark.parametrize('flip_ensemble', [True, False])
def test_chain_config_and_preprocessor_pass_the_switch_on(flip_ensemble):
    from cpra_mm.det import DerainDetDataPreprocessor
    config = add_derain_stage(dict(type='mmdet.DetDataPreprocessor'),
                              derainer=ColumnRampDerainer(), derain_align_streaks=False,
                              derain_flip_ensemble=flip_ensemble)
    assert config['type'] == 'mmdet.DerainDetDataPreprocessor'
    assert config['derain_flip_ensemble'] is flip_ensemble
    assert config['derain_align_streaks'] is False
    config.pop('type')
    preprocessor = DerainDetDataPreprocessor(**config)
    assert preprocessor.derain_stage.flip_ensemble is flip_ensemble
    assert preprocessor.derain_stage.align_streaks is False


def test_derain_tool_has_a_switch():
    spec = importlib.util.spec_from_file_location('derain', REPO / 'tools' / 'derain.py')
    tool = importlib.util.module_from_spec(spec)
    sys.modules['derain'] = tool
    try:
        spec.loader.exec_module(tool)
        parser = tool.build_parser()
    finally:
        del sys.modules['derain']
    assert parser.parse_args(['a.png', '--out-dir', 'o']).flip_ensemble is False
    assert parser.parse_args(['a.png', '--out-dir', 'o',
                              '--flip-ensemble']).flip_ensemble is True


def test_eval_downstream_modes_take_the_switch():
    from mmengine.config import Config

    from cpra_mm.apis.downstream_modes import derive_mode_config, mode_config
    clean = str(REPO / 'configs' / 'demo' / 'shapes_detector.py')
    chain = mode_config(clean, 'derained').model.data_preprocessor
    assert chain.derain_flip_ensemble is False
    ensemble = mode_config(clean, 'derained', derain_flip_ensemble=True).model.data_preprocessor
    assert ensemble.derain_flip_ensemble is True
    derainer = dict(type='CPRAformer', preset='small', layout='corrected')
    derived = derive_mode_config(Config.fromfile(clean), 'derained', derainer=derainer)
    assert 'derain_flip_ensemble' not in derived.model.data_preprocessor
    derived = derive_mode_config(Config.fromfile(clean), 'derained', derainer=derainer,
                                 derain_flip_ensemble=False)
    assert derived.model.data_preprocessor.derain_flip_ensemble is False

    spec = importlib.util.spec_from_file_location('eval_downstream',
                                                  REPO / 'tools' / 'eval_downstream.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    weights = str(REPO / 'cpra_mm' / 'weights' / 'shapes_detector.pth')
    common = [clean, weights, '--out-dir', 'o', '--modes', 'clean']
    assert tool.parse_args(common).derain_flip_ensemble is None
    assert tool.parse_args(common + ['--derain-one-pass']).derain_flip_ensemble is False
    assert tool.parse_args(common + ['--derain-flip-ensemble']).derain_flip_ensemble is True
    with pytest.raises(SystemExit):
        tool.parse_args(common + ['--derain-one-pass', '--derain-flip-ensemble'])


def test_streak_alignment_wraps_the_ensemble():
    """A 40-degree rain is sheared upright once; both passes of the ensemble
    see the sheared image, the second mirrored."""
    ramp = np.linspace(40, 120, 128, dtype=np.float32)
    background = np.repeat((ramp[:, None] + ramp[None, :] * 0.5)[..., None], 3, axis=2)
    rain = RainParams(density=(25, 25), length=(30, 30), angle=(40, 40), width=(1, 1),
                      intensity=(0.7, 0.7), layers=1)
    rainy = RainStreakRenderer(rain)(background.astype(np.uint8), generator_for(0, 'x'))
    images = torch.from_numpy(rainy).permute(2, 0, 1)[None].float() / 255
    derainer = ColumnRampDerainer(step=0.0)
    with torch.no_grad():
        out = inference_forward(derainer, flip_ensemble=True)(images)
    assert len(derainer.calls) == 2
    assert not torch.equal(derainer.calls[0], images)
    torch.testing.assert_close(derainer.calls[1], derainer.calls[0].flip(-1), rtol=0, atol=0)
    torch.testing.assert_close(out, images, rtol=0, atol=1e-6)
    assert inference_forward(derainer, align_streaks=False, flip_ensemble=False) is derainer


@pytest.mark.parametrize('default', [False, True, None])
def test_pass_switches_are_exclusive_and_keep_the_default(default):
    import argparse

    from cpra_mm.utils.derain_pass_arguments import add_derain_pass_arguments
    parser = argparse.ArgumentParser()
    add_derain_pass_arguments(parser, default=default)
    assert parser.parse_args([]).derain_flip_ensemble is default
    assert parser.parse_args(['--derain-flip-ensemble']).derain_flip_ensemble is True
    assert parser.parse_args(['--derain-one-pass']).derain_flip_ensemble is False
    with pytest.raises(SystemExit):
        parser.parse_args(['--derain-one-pass', '--derain-flip-ensemble'])
