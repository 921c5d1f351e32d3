"""Tests of the rain renderer (cpra_mm.rain) and the AddRain transform."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from skimage import data as skimage_data

from cpra_mm.datasets.transforms import AddRain
from cpra_mm.rain import (RainParams, RainStreakRenderer, generator_for,
                          render_rain, streak_kernel)

VISIBLE_RAIN = dict(density=(30, 40), length=(15, 25), angle=(-10, 10),
                    width=(1, 2), intensity=(0.5, 0.7), layers=2)


@pytest.fixture(scope='module')
def photo() -> np.ndarray:
    """A real photograph, 96 x 96 x 3 uint8 (astronaut, RGB)."""
    return cv2.resize(skimage_data.astronaut(), (96, 96),
                      interpolation=cv2.INTER_AREA)


def _rgb_uint8(photo):
    return photo


def _rgb_uint16(photo):
    return photo.astype(np.uint16) * 257


def _rgb_float32(photo):
    return photo.astype(np.float32) / 255


def _rgb_float64(photo):
    return photo.astype(np.float64) / 255


def _gray_uint8(photo):
    return cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)


def _gray_uint8_channel(photo):
    return cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)[..., None]


def _gray_uint16(photo):
    return cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.uint16) * 257


def _rgba_uint8(photo):
    alpha = np.linspace(0, 255, photo.shape[0] * photo.shape[1]).astype(np.uint8)
    return np.dstack([photo, alpha.reshape(photo.shape[:2])])


def _rgba_uint16(photo):
    return _rgba_uint8(photo).astype(np.uint16) * 257


def _rgba_float32(photo):
    return _rgba_uint8(photo).astype(np.float32) / 255


def _gray_alpha_uint8(photo):
    return _rgba_uint8(photo)[..., 2:]


IMAGE_KINDS = [
    _rgb_uint8, _rgb_uint16, _rgb_float32, _rgb_float64, _gray_uint8,
    _gray_uint8_channel, _gray_uint16, _rgba_uint8, _rgba_uint16,
    _rgba_float32, _gray_alpha_uint8
]
ALPHA_CHANNELS = {4, 2}


@pytest.mark.parametrize('make_image', IMAGE_KINDS, ids=lambda f: f.__name__[1:])
def test_output_keeps_shape_dtype_range_and_alpha(photo, make_image):
    image = make_image(photo)
    original = image.copy()
    rainy = render_rain(image, np.random.default_rng(0), RainParams(**VISIBLE_RAIN))

    assert rainy.shape == image.shape
    assert rainy.dtype == image.dtype
    assert not np.shares_memory(rainy, image)
    np.testing.assert_array_equal(image, original)
    if np.issubdtype(image.dtype, np.floating):
        assert rainy.min() >= 0.0 and rainy.max() <= 1.0
    has_alpha = image.ndim == 3 and image.shape[2] in ALPHA_CHANNELS
    if has_alpha:
        np.testing.assert_array_equal(rainy[..., -1], image[..., -1])
        colour, rainy_colour = image[..., :-1], rainy[..., :-1]
    else:
        colour, rainy_colour = image, rainy
    full_scale = {np.uint8: 255, np.uint16: 65535}.get(image.dtype.type, 1.0)
    change = np.abs(rainy_colour.astype(np.float64) - colour) / full_scale
    assert change.mean() > 0.02


def test_rain_only_brightens_without_haze(photo):
    rainy = render_rain(photo, np.random.default_rng(1), RainParams(**VISIBLE_RAIN))
    assert (rainy.astype(int) >= photo.astype(int)).all()
    assert rainy.mean() > photo.mean() + 5
    changed = np.any(rainy != photo, axis=2).mean()
    assert 0.05 < changed < 0.95, 'rain should cover part of the image, not all'


def test_more_density_changes_more(photo):
    def mean_change(density):
        params = RainParams(**{**VISIBLE_RAIN, 'density': density})
        rainy = render_rain(photo, np.random.default_rng(2), params)
        return np.abs(rainy.astype(float) - photo).mean()

    assert mean_change(0) == 0
    assert 0 < mean_change(5) < mean_change(20) < mean_change(60)


def test_streaks_follow_the_angle():
    black = np.zeros((128, 128), np.float32)

    def gradients(angle):
        params = RainParams(density=20, length=30, angle=angle, width=1,
                            intensity=1, layers=1)
        rain = render_rain(black, np.random.default_rng(3), params)
        along_y = np.abs(np.diff(rain, axis=0)).mean()
        along_x = np.abs(np.diff(rain, axis=1)).mean()
        return along_y, along_x

    vertical_dy, vertical_dx = gradients(0)
    assert vertical_dy < 0.3 * vertical_dx
    slanted_dy, slanted_dx = gradients(80)
    assert slanted_dx < 0.3 * slanted_dy


def test_streak_kernel_is_a_centred_segment():
    kernel = streak_kernel(length=21, angle=0, width=1)
    assert kernel.dtype == np.float32
    assert kernel.shape[0] == kernel.shape[1] and kernel.shape[0] % 2 == 1
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-6)
    centre = kernel.shape[0] // 2
    lit_rows = np.flatnonzero(kernel[:, centre] > 0.5)
    assert lit_rows.size in (21, 22)
    assert kernel.max() == pytest.approx(1.0)
    assert streak_kernel(length=21, angle=0, width=0.4).max() == pytest.approx(0.4)
    slanted = streak_kernel(length=21, angle=45, width=1)
    assert slanted[centre + 5, centre + 5] > 0.5 > slanted[centre + 5, centre - 5]


def test_haze_veils_towards_atmospheric_light():
    image = np.random.default_rng(4).uniform(0, 1, (16, 16, 3)).astype(np.float32)
    params = RainParams(density=0, haze=1.0, atmospheric_light=0.6)
    np.testing.assert_allclose(
        render_rain(image, np.random.default_rng(0), params), 0.6, atol=1e-6)
    half = render_rain(image, np.random.default_rng(0),
                       RainParams(density=0, haze=0.5, atmospheric_light=1.0))
    np.testing.assert_allclose(half, image * 0.5 + 0.5, atol=1e-6)


def test_same_generator_state_same_rain(photo):
    renderer = RainStreakRenderer(RainParams(**VISIBLE_RAIN))
    first = renderer(photo, np.random.default_rng(5))
    np.testing.assert_array_equal(first, renderer(photo, np.random.default_rng(5)))
    assert not np.array_equal(first, renderer(photo, np.random.default_rng(6)))


def test_default_params_sample_within_ranges():
    params = RainParams()
    for seed in range(20):
        sample = params.sample(np.random.default_rng(seed))
        assert params.layers[0] <= len(sample.layers) <= params.layers[1]
        assert len({layer.angle for layer in sample.layers}) == 1
        for layer in sample.layers:
            assert params.density[0] <= layer.density <= params.density[1]
            assert params.length[0] <= layer.length <= params.length[1]
            assert params.width[0] <= layer.width <= params.width[1]
            assert params.intensity[0] <= layer.intensity <= params.intensity[1]


def test_params_accept_numbers_tuples_and_lists():
    params = RainParams(density=12, length=[5, 9], layers=[2, 4], haze=(0.1, 0.2))
    assert params.density == (12.0, 12.0)
    assert params.length == (5.0, 9.0)
    assert params.layers == (2, 4)
    assert params.haze == (0.1, 0.2)


@pytest.mark.parametrize('name, value', [
    ('density', -1), ('density', (40, 20)), ('density', 'heavy'),
    ('density', (1, 2, 3)), ('density', float('nan')), ('length', 0.5),
    ('angle', 95), ('angle', (-100, 0)), ('width', 0), ('width', -1),
    ('intensity', 1.5), ('layers', 0), ('layers', 1.5), ('layers', True),
    ('haze', -0.1), ('haze', 1.1), ('atmospheric_light', 2)
])
def test_invalid_params_name_the_argument(name, value):
    with pytest.raises(ValueError, match=name):
        RainParams(**{name: value})
    with pytest.raises(ValueError, match=name):
        AddRain(**{name: value})


@pytest.mark.parametrize('image', [
    np.zeros((8, 8), np.int32),
    np.zeros((8, 8, 5), np.uint8),
    np.zeros((2, 8, 8, 3), np.uint8),
    np.zeros((0, 8, 3), np.uint8),
    np.full((8, 8, 3), 200.0, np.float32),
], ids=['int32', 'five-channels', '4d', 'empty', 'float-0-255'])
def test_invalid_image_is_rejected(image):
    with pytest.raises(ValueError, match='image'):
        render_rain(image, np.random.default_rng(0))


def test_rng_must_be_a_generator(photo):
    with pytest.raises(TypeError, match='rng'):
        render_rain(photo, 0)


def test_generator_for_is_stable_across_processes():
    draw = ("from cpra_mm.rain import generator_for; "
            "print(generator_for(7, 'a/b.png').integers(0, 2**62))")
    outputs = {
        subprocess.run([sys.executable, '-c', draw], check=True, text=True,
                       capture_output=True,
                       env={**os.environ, 'PYTHONHASHSEED': hash_seed}).stdout
        for hash_seed in ('1', '2')
    }
    assert outputs == {f"{generator_for(7, 'a/b.png').integers(0, 2**62)}\n"}
    assert (generator_for(7, 'a/b.png').integers(0, 2**62) !=
            generator_for(7, 'a/c.png').integers(0, 2**62))
    assert (generator_for(7, 'a/b.png').integers(0, 2**62) !=
            generator_for(8, 'a/b.png').integers(0, 2**62))
    with pytest.raises(ValueError, match='seed'):
        generator_for(-1, 'a/b.png')


# AddRain

def _results(photo, path='data/clean/0001.png', key='img'):
    results = {key: photo.copy(), f'ori_{key}_shape': photo.shape,
               f'{key}_channel_order': 'rgb', f'{key}_color_type': 'color'}
    if path is not None:
        results[f'{key}_path'] = path
    return results


def test_add_rain_in_place_key_writes_a_new_array(photo):
    results = _results(photo)
    source = results['img']
    out = AddRain(**VISIBLE_RAIN, seed=0)(results)
    assert out['img'] is not source
    np.testing.assert_array_equal(source, photo)
    assert out['img'].shape == photo.shape and out['img'].dtype == np.uint8
    assert out['img'].mean() > photo.mean()


def test_add_rain_gt_to_img_keeps_gt_and_copies_metadata(photo):
    results = _results(photo, path='data/gt/0001.png', key='gt')
    gt_before = results['gt'].copy()
    out = AddRain(**VISIBLE_RAIN, seed=0, src_key='gt', dst_key='img')(results)

    assert out['gt'].tobytes() == gt_before.tobytes()
    assert out['gt'].dtype == gt_before.dtype and out['gt'].shape == gt_before.shape
    assert not np.shares_memory(out['img'], out['gt'])
    assert np.abs(out['img'].astype(int) - out['gt']).mean() > 1
    assert out['img_path'] == 'data/gt/0001.png'
    assert out['ori_img_shape'] == photo.shape
    assert out['img_channel_order'] == 'rgb'
    assert out['img_color_type'] == 'color'


def test_add_rain_seeded_depends_only_on_seed_and_path(photo):
    def rain(seed, path, transform=None):
        transform = transform or AddRain(**VISIBLE_RAIN, seed=seed)
        return transform(_results(photo, path))['img']

    reference = rain(0, 'a/1.png')
    shared = AddRain(**VISIBLE_RAIN, seed=0)
    rain(0, 'a/2.png', shared)
    rain(0, 'a/3.png', shared)
    np.testing.assert_array_equal(rain(0, 'a/1.png', shared), reference)
    np.testing.assert_array_equal(rain(0, 'a/1.png'), reference)
    assert not np.array_equal(rain(0, 'a/2.png'), reference)
    assert not np.array_equal(rain(1, 'a/1.png'), reference)


def test_add_rain_identity_falls_back_to_img_and_gt_path(photo):
    transform = AddRain(**VISIBLE_RAIN, seed=0, src_key='lq', dst_key='lq')
    by_img_path = transform({'lq': photo, 'img_path': 'x.png'})['lq']
    np.testing.assert_array_equal(
        transform({'lq': photo, 'gt_path': 'x.png'})['lq'], by_img_path)
    np.testing.assert_array_equal(
        transform({'lq': photo, 'lq_path': 'x.png'})['lq'], by_img_path)


def test_add_rain_without_seed_varies(photo):
    transform = AddRain(**VISIBLE_RAIN)
    first = transform(_results(photo))['img']
    second = transform(_results(photo))['img']
    assert not np.array_equal(first, second)


def test_add_rain_without_path_counts_images(photo):
    first = AddRain(**VISIBLE_RAIN, seed=0)
    second = AddRain(**VISIBLE_RAIN, seed=0)
    sequence = [first(_results(photo, path=None))['img'] for _ in range(2)]
    assert not np.array_equal(sequence[0], sequence[1])
    for expected in sequence:
        np.testing.assert_array_equal(second(_results(photo, path=None))['img'],
                                      expected)


def test_add_rain_argument_checks(photo):
    with pytest.raises(ValueError, match='seed'):
        AddRain(seed=-1)
    with pytest.raises(ValueError, match='src_key'):
        AddRain(src_key='')
    with pytest.raises(ValueError, match='dst_key'):
        AddRain(dst_key=3)
    with pytest.raises(KeyError, match='gt'):
        AddRain(src_key='gt')({'img': photo})


def test_add_rain_repr_lists_parameters():
    text = repr(AddRain(density=(5, 10), layers=2, seed=3, src_key='gt'))
    for part in ('AddRain(', 'density=(5.0, 10.0)', 'length=', 'angle=',
                 'width=', 'intensity=', 'layers=(2, 2)', 'haze=',
                 'atmospheric_light=', 'seed=3', "src_key='gt'",
                 "dst_key='img'"):
        assert part in text


def test_add_rain_in_an_mmcv_pipeline_is_reproducible(photo, tmp_path):
    from mmcv.transforms import Compose, LoadImageFromFile

    path = tmp_path / 'clean.png'
    cv2.imwrite(str(path), photo)
    runs = [
        Compose([LoadImageFromFile(), AddRain(**VISIBLE_RAIN, seed=0)])(
            {'img_path': str(path)}) for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0]['img'], runs[1]['img'])
    assert runs[0]['img'].shape == photo.shape
    assert runs[0]['img'].dtype == np.uint8
    assert runs[0]['img'].mean() > photo.mean()
