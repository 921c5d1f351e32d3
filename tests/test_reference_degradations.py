"""``cpra_mm.apis.reference_degradations``: the known degradations
``tools/analysis/downstream_gap_attribution.py --references`` tests."""
import cv2
import numpy as np
import pytest

from cpra_mm.apis.reference_degradations import ReferenceDegradation, parse_reference


def _pair():
    """A textured 32 x 32 clean image (smoothed noise) and a copy with one
    bright streak."""
    noise = np.random.default_rng(0).uniform(0, 255, (32, 32, 3))
    clean = np.clip(np.rint(cv2.GaussianBlur(noise, (0, 0), 1.0) * 1.5 - 60), 40, 200)
    clean = clean.astype(np.uint8)
    rainy = clean.copy()
    rainy[:, 10:12] = 250
    return clean, rainy


def test_rain_left_scales_the_rain_and_keeps_the_rest():
    clean, rainy = _pair()
    image = parse_reference('rain-left:0.25').apply(clean, rainy, seed=(0, 0))
    expected = np.rint(clean[:, 10:12] + 0.25 * (250.0 - clean[:, 10:12]))
    assert (image[:, 10:12] == expected).all()
    assert (np.delete(image, [10, 11], axis=1) == np.delete(clean, [10, 11], axis=1)).all()
    assert (parse_reference('rain-left:1').apply(clean, rainy, seed=(0, 0)) == rainy).all()


def test_blur_jpeg_and_noise_degrade_the_clean_image_only():
    clean, rainy = _pair()
    blurred = parse_reference('blur:1').apply(clean, rainy, seed=(0, 0))
    reference = cv2.GaussianBlur(clean.astype(float), (0, 0), 1)
    assert np.abs(blurred - reference).max() <= 0.5
    assert blurred[:, 10:12].max() < 250, 'the streak is not in it'
    assert cv2.PSNR(clean, parse_reference('blur:0.5').apply(clean, rainy, (0, 0))) > \
        cv2.PSNR(clean, blurred), 'a wider blur loses more'
    assert cv2.PSNR(clean, parse_reference('jpeg:95').apply(clean, rainy, (0, 0))) > \
        cv2.PSNR(clean, parse_reference('jpeg:30').apply(clean, rainy, (0, 0))) > 20
    noisy = parse_reference('noise:4').apply(clean, rainy, seed=(0, 3))
    assert (noisy.astype(float) - clean).std() == pytest.approx(4, rel=0.1)
    assert (noisy == parse_reference('noise:4').apply(clean, rainy, seed=(0, 3))).all()
    assert (noisy != parse_reference('noise:4').apply(clean, rainy, seed=(0, 4))).any()
    for image in (blurred, noisy):
        assert image.dtype == np.uint8 and image.shape == clean.shape


@pytest.mark.parametrize('spec, name', [('rain-left:0.3', 'rain_left_0.3'),
                                        ('blur:0.5', 'blur_0.5px'), ('jpeg:90', 'jpeg_q90'),
                                        ('noise:2', 'noise_2')])
def test_names(spec, name):
    assert parse_reference(spec).name == name


@pytest.mark.parametrize('spec, message', [
    ('blur', 'KIND:VALUE'), ('sharpen:1', 'kind must be one of'),
    ('rain-left:0', r'in \(0, 1\]'), ('rain-left:1.5', r'in \(0, 1\]'), ('blur:-1', '> 0'),
    ('blur:inf', '> 0'), ('jpeg:90.5', r'integer in \[1, 100\]'), ('jpeg:0', 'integer'),
    ('noise:x', 'could not convert')])
def test_bad_specs_are_named(spec, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_reference(spec)
    assert repr(spec) in str(error.value)


def test_apply_rejects_mismatched_images():
    clean, rainy = _pair()
    with pytest.raises(ValueError, match='uint8 images of one shape'):
        ReferenceDegradation('blur', 1.0).apply(clean, rainy[:8], seed=(0, 0))
