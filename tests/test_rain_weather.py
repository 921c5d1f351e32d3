"""Tests of the broad rain renderer: blend modes, depth, defocus, haze
variation, lens drops, camera degradation and the dry share of AddRain."""
import numpy as np
import pytest

from cpra_mm.datasets.transforms import AddRain
from cpra_mm.rain import (BLEND_MODES, CameraParams, RainParams,
                          RainStreakRenderer, StreakLayer, jpeg_round_trip,
                          render_lens_drops, render_streak_layer)

BROAD_RAIN = dict(
    density=(20.0, 60.0), length=(10.0, 40.0), angle=(-30.0, 30.0),
    angle_spread=(0.0, 5.0), width=(0.6, 3.0), blur=(0.0, 1.5),
    intensity=(0.3, 0.8), layers=(1, 4), depth_falloff=(0.0, 0.5),
    streak_colour=(0.75, 1.0), blend=('screen', 'additive'), haze=(0.0, 0.35),
    haze_variation=(0.0, 0.5), drops=(0.0, 3.0), drop_radius=(2.0, 8.0))


@pytest.fixture(scope='module')
def textured() -> np.ndarray:
    """64 x 64 x 3 uint8 noise texture over a gradient."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(40, 200, 64)[None, :, None]
    return np.clip(ramp + rng.normal(0, 20, (64, 64, 3)), 0, 255).astype(np.uint8)


def test_blend_modes_follow_their_formulas():
    base = np.full((4, 4, 1), 0.9, np.float32)
    alpha = np.full((4, 4, 1), 0.5, np.float32)
    np.testing.assert_allclose(BLEND_MODES['screen'](base, alpha, 0.6),
                               1 - 0.1 * (1 - 0.3), rtol=1e-6)
    np.testing.assert_allclose(BLEND_MODES['additive'](base, alpha, 0.6), 1.0)
    np.testing.assert_allclose(BLEND_MODES['alpha'](base, alpha, 0.6),
                               0.9 * 0.5 + 0.3, rtol=1e-6)


def test_only_alpha_over_darkens_bright_pixels(textured):
    bright = np.full((64, 64, 3), 250, np.uint8)
    for mode in BLEND_MODES:
        params = RainParams(density=50, length=20, intensity=0.8,
                            streak_colour=0.6, blend=mode, layers=1)
        rainy = RainStreakRenderer(params)(bright, np.random.default_rng(0))
        assert (rainy.min() < 250) == (mode == 'alpha'), mode


@pytest.mark.parametrize('name, value', [
    ('angle_spread', 46.0), ('blur', 11.0), ('depth_falloff', 0.95),
    ('streak_colour', 1.5), ('haze_variation', -0.1), ('drops', -1.0),
    ('drop_radius', 0.1), ('blend', 'multiply'), ('blend', ())])
def test_out_of_range_parameters_are_named(name, value):
    with pytest.raises(ValueError, match=name):
        RainParams(**{name: value})


def test_defaults_draw_no_extra_random_numbers():
    params = RainParams(layers=2)
    rng, reference = np.random.default_rng(3), np.random.default_rng(3)
    sample = params.sample(rng)
    reference.integers(2, 3)
    reference.uniform(-20, 20)
    for _ in range(2):
        for _ in range(4):
            reference.uniform()
    reference.uniform()
    reference.uniform()
    assert rng.uniform() == reference.uniform()
    assert sample.blend == 'screen' and sample.drops == 0 and sample.haze_variation == 0


def test_depth_falloff_shrinks_far_layers():
    params = RainParams(density=10, length=40, width=2, intensity=0.8,
                        layers=3, depth_falloff=0.5)
    layers = params.sample(np.random.default_rng(0)).layers
    assert [layer.length for layer in layers] == [10.0, 20.0, 40.0]
    assert [layer.width for layer in layers] == [0.5, 1.0, 2.0]
    np.testing.assert_allclose([layer.intensity for layer in layers], [0.2, 0.4, 0.8])


def test_angle_spread_varies_layer_angles_within_the_spread():
    params = RainParams(angle=10, angle_spread=5, layers=4)
    angles = [layer.angle for layer in params.sample(np.random.default_rng(1)).layers]
    assert all(5 <= angle <= 15 for angle in angles)
    assert len(set(angles)) == 4


def test_blur_defocuses_a_layer():
    sharp = StreakLayer(density=30, length=20, angle=0, width=1, intensity=1)
    soft = StreakLayer(density=30, length=20, angle=0, width=1, intensity=1, blur=1.5)
    a = render_streak_layer(64, 64, sharp, np.random.default_rng(0))
    b = render_streak_layer(64, 64, soft, np.random.default_rng(0))
    assert b.max() < a.max()
    assert np.abs(np.diff(b, axis=1)).mean() < np.abs(np.diff(a, axis=1)).mean()


def test_haze_variation_makes_the_veil_uneven():
    grey = np.full((64, 64, 3), 0.2, np.float32)
    even = RainParams(density=0, haze=0.4, atmospheric_light=1.0)
    uneven = RainParams(density=0, haze=0.4, atmospheric_light=1.0, haze_variation=0.8)
    assert np.ptp(RainStreakRenderer(even)(grey, np.random.default_rng(0))) < 1e-6
    assert np.ptp(RainStreakRenderer(uneven)(grey, np.random.default_rng(0))) > 0.05


def test_lens_drops_change_only_small_disks(textured):
    image = textured.astype(np.float32) / 255
    out = render_lens_drops(image, 3, (4.0, 6.0), np.random.default_rng(0))
    changed = np.abs(out - image).max(axis=2) > 1e-6
    assert 0 < changed.mean() < 3 * np.pi * 8 ** 2 / 64 ** 2
    assert render_lens_drops(image, 0, (4.0, 6.0), np.random.default_rng(0)) is not image


def test_jpeg_round_trip_quality_orders_the_error(textured):
    image = textured.astype(np.float32) / 255
    low = np.abs(jpeg_round_trip(image, 20) - image).mean()
    high = np.abs(jpeg_round_trip(image, 95) - image).mean()
    assert low > high > 0
    assert jpeg_round_trip(image, None) is image


def test_camera_noise_is_shared_by_input_and_target(textured):
    transform = AddRain(density=0, haze=0, layers=1, seed=0, src_key='gt', dst_key='img',
                        camera=dict(read_noise=0.02, noise_prob=1.0, jpeg_prob=0.0))
    results = transform({'gt': textured, 'gt_path': 'a.png'})
    assert not np.array_equal(results['gt'], textured)
    np.testing.assert_array_equal(results['img'], results['gt'])
    assert results['gt'].dtype == np.uint8


def test_camera_jpeg_only_on_the_input_of_rainy_pairs(textured):
    transform = AddRain(density=40, layers=1, seed=0, src_key='gt', dst_key='img',
                        camera=dict(noise_prob=0.0, jpeg_prob=1.0, jpeg_quality=30))
    results = transform({'gt': textured, 'gt_path': 'a.png'})
    np.testing.assert_array_equal(results['gt'], textured)
    assert not np.array_equal(results['img'], results['gt'])


def test_dry_share_leaves_the_input_as_the_target(textured):
    transform = AddRain(seed=4, src_key='gt', dst_key='img', dry_prob=0.3, **BROAD_RAIN)
    dry = 0
    for index in range(300):
        results = transform({'gt': textured, 'gt_path': f'{index}.png'})
        dry += int(np.array_equal(results['img'], results['gt']))
    assert 0.22 < dry / 300 < 0.38
    everything_dry = AddRain(seed=4, src_key='gt', dst_key='img', dry_prob=1.0,
                             camera=dict(noise_prob=1.0, jpeg_prob=1.0))
    results = everything_dry({'gt': textured, 'gt_path': 'x.png'})
    np.testing.assert_array_equal(results['img'], results['gt'])
    with pytest.raises(ValueError, match='dry_prob'):
        AddRain(dry_prob=1.5)


def test_broad_rain_is_deterministic_with_a_seed(textured):
    camera = dict(noise_prob=0.5, jpeg_prob=0.5)
    first = AddRain(seed=9, src_key='gt', dst_key='img', camera=camera, **BROAD_RAIN)
    second = AddRain(seed=9, src_key='gt', dst_key='img', camera=camera, **BROAD_RAIN)
    for name in ('a.png', 'b.png', 'c.png'):
        one = first({'gt': textured, 'gt_path': name})
        two = second({'gt': textured, 'gt_path': name})
        np.testing.assert_array_equal(one['img'], two['img'])
        np.testing.assert_array_equal(one['gt'], two['gt'])
    other = first({'gt': textured, 'gt_path': 'd.png'})['img']
    assert not np.array_equal(other, one['img'])


def test_camera_params_validate_their_ranges():
    with pytest.raises(ValueError, match='jpeg_quality'):
        CameraParams(jpeg_quality=(0, 50))
    with pytest.raises(ValueError, match='noise_prob'):
        CameraParams(noise_prob=2.0)
