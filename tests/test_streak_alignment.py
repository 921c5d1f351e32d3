"""Streak alignment: the orientation estimate, the lossless shear, and the
aligned forward in derain(), DerainStage and tools/derain.py."""
import csv
import importlib.util
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from cpra_mm.apis import derain
from cpra_mm.downstream.derain_stage import DerainStage
from cpra_mm.models import estimate_streak_angle, streak_aligned_forward
from cpra_mm.models.streak_alignment import (MAX_ANGLE, MAX_PERIODICITY, MIN_ANGLE, MIN_DOMINANCE,
                                             alignment_decisions, gate_estimate,
                                             line_periodicity, row_shifts, shear_rows,
                                             unshear_rows)
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for
from photos_run import smooth_photo

REPO = Path(__file__).resolve().parents[1]


def load_tool_module(name: str, folder: Path):
    """Import ``folder/<name>.py`` as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, folder / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _rainy(angle: float, size: int = 128, seed: int = 0) -> torch.Tensor:
    """``1 x 3 x size x size`` in [0, 1]: a smooth gradient with one layer
    of streaks at exactly ``angle`` degrees from vertical."""
    ramp = np.linspace(40, 120, size, dtype=np.float32)
    background = np.repeat((ramp[:, None] + ramp[None, :] * 0.5)[..., None], 3, axis=2)
    rain = RainParams(density=(25, 25), length=(30, 30), angle=(angle, angle), width=(1, 1),
                      intensity=(0.7, 0.7), layers=1)
    rainy = RainStreakRenderer(rain)(background.astype(np.uint8), generator_for(seed, 'x'))
    return torch.from_numpy(rainy).permute(2, 0, 1)[None].float() / 255


class RecordingDerainer(torch.nn.Module):
    """Darkens by 10 % and records every batch it is given."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(()))
        self.calls = []

    def forward(self, images):
        self.calls.append(images.detach().clone())
        return images * 0.9 * self.weight


@pytest.mark.parametrize('angle', [-45.0, -20.0, 0.0, 30.0, 40.0, 55.0])
def test_estimate_finds_the_angle_of_rendered_rain(angle):
    estimate, dominance = estimate_streak_angle(_rainy(angle))
    assert abs(float(estimate) - angle) <= 5.0
    assert float(dominance) > 0.3


def test_estimate_of_a_structureless_image_has_no_dominance():
    flat = torch.full((2, 3, 64, 64), 0.5)
    assert estimate_streak_angle(flat)[1].tolist() == [0.0, 0.0]
    noise = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    assert float(estimate_streak_angle(noise)[1]) < 0.15


def _posts_in_rain(angle: float, size: int = 128) -> torch.Tensor:
    """``1 x 3 x size x size``: light rain at ``angle`` degrees over a
    scene of bright upright posts (3 px wide, unevenly spaced), whose thin
    bright structure outweighs the rain's."""
    scene = np.full((size, size, 3), 60, np.uint8)
    for column in (9, 23, 31, 50, 71, 79, 98, 117):
        scene[:, column:column + 3] = 230
    rain = RainParams(density=(20, 20), length=(30, 30), angle=(angle, angle), width=(1, 1),
                      intensity=(0.5, 0.5), layers=1)
    rainy = RainStreakRenderer(rain)(scene, generator_for(0, 'posts'))
    return torch.from_numpy(rainy).permute(2, 0, 1)[None].float() / 255


@pytest.mark.parametrize('angle', [-40.0, 42.0])
def test_upright_and_level_structure_does_not_hide_slanted_rain(angle):
    rainy = _posts_in_rain(angle)
    # Over all orientations the posts win ...
    assert abs(float(estimate_streak_angle(rainy)[0])) <= 5.0
    # ... without those near the axes the rain does, as it does for the
    # gate (whose slant range keeps clear of the axes) ...
    estimate, dominance = estimate_streak_angle(rainy, axis_margin=15.0)
    assert abs(float(estimate) - angle) <= 5.0 and float(dominance) >= MIN_DOMINANCE
    assert torch.equal(gate_estimate(rainy)[0], estimate)
    assert abs(float(alignment_decisions(rainy)[0]) - angle) <= 5.0
    # ... unless the slant range reaches into the margin: then the posts win.
    assert abs(float(gate_estimate(rainy, min_angle=0.0)[0])) <= 5.0
    assert abs(float(alignment_decisions(rainy, min_angle=0.0)[0])) <= 5.0


@pytest.mark.parametrize('angle', [35.0, -45.0])
def test_edges_of_wide_shapes_are_not_thin_bright_structure(angle):
    rows, cols = np.mgrid[0:128, 0:128].astype(np.float32)
    theta = np.deg2rad(angle)
    across = (cols - 64) * np.cos(theta) - (rows - 64) * np.sin(theta)

    def picture(brightness: np.ndarray) -> torch.Tensor:
        image = (50 + 160 * brightness).round().astype(np.uint8)[..., None].repeat(3, axis=2)
        return torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255

    # A bright line two pixels wide at that slant is aligned ...
    line = picture(np.clip(2.0 - np.abs(across), 0, 1))
    assert abs(float(estimate_streak_angle(line)[0]) - angle) <= 5.0
    assert alignment_decisions(line)[1] == [True]
    # ... the edge of a bright half-plane (one pixel of anti-aliasing) is not.
    edge = picture(np.clip(across + 0.5, 0, 1))
    assert alignment_decisions(edge)[1] == [False]


@pytest.mark.parametrize('margin', [-1.0, 45.0])
def test_estimate_rejects_a_bad_axis_margin(margin):
    with pytest.raises(ValueError, match='axis_margin'):
        estimate_streak_angle(_rainy(40.0), axis_margin=margin)


@pytest.mark.parametrize('angle', [-50.0, 35.0, 60.0])
def test_shear_stands_slanted_streaks_upright_and_is_undone_exactly(angle):
    rainy = _rainy(angle, size=160)
    shifts = row_shifts(160, angle, rainy.device)
    assert shifts.shape == (160,) and int(shifts.sum()) == 0
    sheared = shear_rows(rainy, shifts)
    # Away from the wrap-around seam at the borders the streaks stand upright.
    assert abs(float(estimate_streak_angle(sheared[..., 40:120, 40:120])[0])) <= 5.0
    assert torch.equal(torch.sort(sheared, dim=-1).values, torch.sort(rainy, dim=-1).values)
    assert torch.equal(unshear_rows(sheared, shifts), rainy)


def test_row_shifts_are_zero_upright():
    assert not row_shifts(33, 0.0, torch.device('cpu')).any()


def test_aligned_forward_gives_the_derainer_upright_streaks_and_keeps_the_order():
    slanted, upright = _rainy(40.0), _rainy(0.0, seed=1)
    derainer = RecordingDerainer()
    batch = torch.cat([slanted, upright, slanted.flip(-1)])
    with torch.no_grad():
        out = streak_aligned_forward(derainer, batch)
    # One plain call for the upright image, one call per slanted image.
    assert [tuple(call.shape) for call in derainer.calls] == [(1, 3, 128, 128)] * 3
    assert torch.equal(derainer.calls[0], upright)
    for call in derainer.calls[1:]:
        assert abs(float(estimate_streak_angle(call[..., 32:96, 32:96])[0])) <= 5.0
    # The derainer's change is put back where it belongs.
    torch.testing.assert_close(out, batch * 0.9, rtol=0, atol=1e-6)


def test_aligned_forward_runs_upright_or_flat_rain_as_is():
    derainer = RecordingDerainer()
    batch = torch.cat([_rainy(10.0), _rainy(-75.0, seed=2)])
    with torch.no_grad():
        streak_aligned_forward(derainer, batch)
    assert len(derainer.calls) == 1 and torch.equal(derainer.calls[0], batch)


def _lines(angle: float, spacing: int, grid: bool, size: int = 128) -> torch.Tensor:
    """``1 x 3 x size x size``: the sweep tool's dry line pattern (a grating,
    or with ``grid`` a grid, of thin bright lines at ``angle`` degrees)."""
    tool = load_tool_module('streak_angle_sweep', REPO / 'tools' / 'analysis')
    try:
        pattern = tool.line_pattern(angle, spacing, grid, size)
    finally:
        del sys.modules['streak_angle_sweep']
    return torch.from_numpy(pattern).permute(2, 0, 1)[None].float() / 255


@pytest.mark.parametrize('angle, spacing, grid', [(40.0, 8, False), (-45.0, 14, False),
                                                  (35.0, 10, True), (-40.0, 18, True)])
def test_regular_slanted_lines_are_periodic_and_left_unaligned(angle, spacing, grid):
    pattern = _lines(angle, spacing, grid)
    estimate, dominance = gate_estimate(pattern)
    # The gate's other tests would align it ...
    assert MIN_ANGLE <= abs(float(estimate)) <= MAX_ANGLE and float(dominance) >= MIN_DOMINANCE
    # ... but its lines repeat side by side, which rain streaks do not.
    assert float(line_periodicity(pattern, estimate)) > 0.8 > MAX_PERIODICITY
    assert alignment_decisions(pattern)[1] == [False]
    assert alignment_decisions(pattern, max_periodicity=1.0)[1] == [True]
    derainer = RecordingDerainer()
    with torch.no_grad():
        streak_aligned_forward(derainer, pattern)
    assert len(derainer.calls) == 1 and torch.equal(derainer.calls[0], pattern)


@pytest.mark.parametrize('angle, seed', [(40.0, 0), (-35.0, 1), (45.0, 2)])
def test_rain_streaks_are_not_periodic(angle, seed):
    rainy = _rainy(angle, seed=seed)
    estimate, _ = estimate_streak_angle(rainy)
    assert float(line_periodicity(rainy, estimate)) < 0.5
    assert alignment_decisions(rainy)[1] == [True]


def test_periodicity_of_flat_or_tiny_images_is_zero():
    assert line_periodicity(torch.full((2, 3, 64, 64), 0.5), torch.zeros(2)).tolist() == [0, 0]
    assert line_periodicity(_lines(40.0, 8, False, size=20), torch.tensor([40.0])).tolist() == [0]


@pytest.mark.parametrize('kwargs', [dict(min_angle=-1.0), dict(min_angle=50.0, max_angle=40.0),
                                    dict(max_angle=90.0), dict(min_dominance=1.5),
                                    dict(max_periodicity=-0.1), dict(max_periodicity=1.2)])
def test_aligned_forward_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError, match='min_angle|max_angle|min_dominance|max_periodicity'):
        streak_aligned_forward(RecordingDerainer(), _rainy(40.0), **kwargs)


def test_defaults_cover_the_slants_past_the_training_rain():
    assert MIN_ANGLE <= 35.0 and MAX_ANGLE >= 45.0


def test_derain_aligns_by_default_and_not_when_asked():
    rainy = _rainy(40.0)
    derainer = RecordingDerainer()
    derain(derainer, rainy, tile_size=None, flip_ensemble=False)
    assert not torch.equal(derainer.calls[-1], rainy)
    derain(derainer, rainy, tile_size=None, align_streaks=False, flip_ensemble=False)
    assert torch.equal(derainer.calls[-1], rainy)


def test_derain_aligns_each_tile():
    rainy = torch.cat([_rainy(40.0, size=128), _rainy(40.0, size=128, seed=3)], dim=-1)
    derainer = RecordingDerainer()
    out = derain(derainer, rainy, tile_size=128, overlap=16, flip_ensemble=False)
    assert len(derainer.calls) == 3
    torch.testing.assert_close(out, rainy * 0.9, rtol=0, atol=1e-6)


def test_derain_stage_aligns_gradient_free_calls_only():
    rainy = _rainy(40.0) * 255
    derainer = RecordingDerainer()
    stage = DerainStage(derainer, channel_order='rgb', trainable=True, flip_ensemble=False)
    with torch.no_grad():
        stage(rainy)
    assert not torch.equal(derainer.calls[-1], rainy / 255)
    stage(rainy)
    assert torch.equal(derainer.calls[-1], rainy / 255)
    plain = DerainStage(RecordingDerainer(), channel_order='rgb', align_streaks=False,
                        flip_ensemble=False)
    with torch.no_grad():
        plain(rainy)
    assert torch.equal(plain.derainer.calls[-1], rainy / 255)
    assert 'align_streaks=False' in repr(plain)


def test_derain_tool_has_a_switch():
    tool = load_tool_module('derain', REPO / 'tools')
    try:
        parser = tool.build_parser()
    finally:
        del sys.modules['derain']
    assert parser.parse_args(['a.png', '--out-dir', 'o']).align_streaks is True
    assert parser.parse_args(['a.png', '--out-dir', 'o', '--no-align-streaks']).align_streaks is False


def _write_corpus(root: Path) -> Path:
    """A photo corpus of 64 px images: 2 train, 1 val, 1 test."""
    rng = np.random.default_rng(0)
    (root / 'images' / 'fake').mkdir(parents=True)
    with (root / 'manifest.csv').open('w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(['file', 'split'])
        for name, split in [('train0', 'train'), ('train1', 'train'), ('val0', 'val'),
                            ('test0', 'test')]:
            cv2.imwrite(str(root / 'images' / 'fake' / f'{name}.png'), smooth_photo(rng, 64))
            writer.writerow([f'images/fake/{name}.png', split])
    return root


def test_angle_sweep_tool_reports_gains_and_dry_alignments(tmp_path, monkeypatch):
    corpus = _write_corpus(tmp_path / 'corpus')
    tool = load_tool_module('streak_angle_sweep', REPO / 'tools' / 'analysis')
    try:
        derainer = RecordingDerainer()
        monkeypatch.setattr(tool, 'init_derainer', lambda config, checkpoint: derainer)
        code = tool.main(['--corpus', str(corpus), '--angles', '0', '40', '--size', '64',
                          '--train-stride', '1', '--out-dir', str(tmp_path / 'out')])
        with pytest.raises(ValueError, match='held-out'):
            tool.corpus_photos(corpus, 'test')
        assert tool.main(['--corpus', str(tmp_path / 'none'), '--out-dir',
                          str(tmp_path / 'out2')]) == 2
    finally:
        del sys.modules['streak_angle_sweep']
    assert code == 0
    report = json.loads((tmp_path / 'out' / 'streak_angle_sweep.json').read_text())
    assert [row['angle'] for row in report['sweep']] == [0.0, 40.0]
    # Rain on 3 photographs per angle (val and both train), none of them test.
    assert len(derainer.calls) >= 2 * 3 * 2
    assert report['dry']['photographs'] == 3
    assert '| 40 |' in (tmp_path / 'out' / 'streak_angle_sweep.md').read_text()


def test_dry_only_scan_reports_the_pass_through_of_every_train_and_val_photograph(
        tmp_path, monkeypatch):
    corpus = _write_corpus(tmp_path / 'corpus')
    tool = load_tool_module('streak_angle_sweep', REPO / 'tools' / 'analysis')
    try:
        derainer = RecordingDerainer()
        monkeypatch.setattr(tool, 'init_derainer', lambda config, checkpoint: derainer)
        code = tool.main(['--corpus', str(corpus), '--size', '64', '--dry-only',
                          '--dry-worst', '2', '--out-dir', str(tmp_path / 'out')])
        photos = [tool.load(path, 64) for path in
                  tool.corpus_photos(corpus, 'train') + tool.corpus_photos(corpus, 'val')]
    finally:
        del sys.modules['streak_angle_sweep']
    assert code == 0
    dry = json.loads((tmp_path / 'out' / 'streak_angle_sweep.json').read_text())['dry']
    # No rain sweep: one network call per dry photograph (none is aligned),
    # then two per unaligned line pattern (network alone, which is also
    # derain()'s result, and alignment forced).
    patterns = json.loads((tmp_path / 'out' / 'streak_angle_sweep.json').read_text())['patterns']
    assert dry['aligned'] == [] and len(derainer.calls) == 3 + 2 * len(patterns)
    assert all(row['derain()'] == row['network alone'] for row in patterns)
    assert len(patterns) == 36 and not any(row['aligned'] for row in patterns)
    assert all(row['periodicity'] > MAX_PERIODICITY for row in patterns)
    # The 10 % darkening, measured independently of the tool.
    expected = sorted(
        10 * np.log10(255.0 ** 2 / np.mean((image.astype(np.float64)
                                            - np.round(image * 0.9)) ** 2))
        for image in photos)
    assert dry['mean'] == pytest.approx(np.mean(expected), abs=0.05)
    assert dry['worst'] == pytest.approx(expected[0], abs=0.05)
    # The JSON keeps every photograph, lowest first; the table lists --dry-worst.
    assert [row['psnr'] for row in dry['passthrough']] == pytest.approx(expected, abs=0.05)
    assert dry['below 32 dB'] == sum(value < 32 for value in expected)
    assert all('test0' not in row['image'] for row in dry['passthrough'])
    table = (tmp_path / 'out' / 'streak_angle_sweep.md').read_text()
    assert '| angle' not in table and f"worst {dry['worst']:.2f} dB" in table
    listed = [row['image'] for row in dry['passthrough'] if f"| {row['image']} |" in table]
    assert listed == [row['image'] for row in dry['passthrough'][:2]]


def test_sweep_runs_the_mirror_ensemble_when_asked(tmp_path, monkeypatch):
    corpus = _write_corpus(tmp_path / 'corpus')
    tool = load_tool_module('streak_angle_sweep', REPO / 'tools' / 'analysis')
    reports = {}
    try:
        for flag in ([], ['--flip-ensemble']):
            derainer = RecordingDerainer()
            monkeypatch.setattr(tool, 'init_derainer', lambda config, checkpoint: derainer)
            out = tmp_path / ('flip' if flag else 'one')
            assert tool.main(['--corpus', str(corpus), '--size', '64', '--dry-only',
                              '--out-dir', str(out)] + flag) == 0
            reports[bool(flag)] = (len(derainer.calls),
                                   json.loads((out / 'streak_angle_sweep.json').read_text()))
    finally:
        del sys.modules['streak_angle_sweep']
    (calls_one, one), (calls_flip, flip) = reports[False], reports[True]
    # Every network call becomes two (the image and its mirror); the 10 %
    # darkening is the same on both, so the figures do not move.
    assert calls_flip == 2 * calls_one
    assert (one['flip_ensemble'], flip['flip_ensemble']) == (False, True)
    assert flip['dry']['mean'] == pytest.approx(one['dry']['mean'])
