"""Tests of cpra_mm.utils.image_io, the image files and run reports shared
by the command-line tools."""
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from cpra_mm.utils.image_io import (EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, PIXEL_MAX, FileRun,
                                    UsageError, copy_file, find_files, find_images,
                                    from_unit_rgb, is_image_file, is_within, partial_path,
                                    preview, read_image, report_usage_error, to_unit_rgb,
                                    write_image)

EXIF_ORIENTATION = 0x0112
ROTATED_90_CLOCKWISE = 6


def _levels(shape, dtype) -> np.ndarray:
    """Every level of ``dtype`` spread over an image of ``shape``."""
    top = np.iinfo(dtype).max
    return (np.arange(np.prod(shape)) * 7919 % (top + 1)).reshape(shape).astype(dtype)


@dataclass(frozen=True)
class _Job:
    source: Path


def _fail_on_odd(job: _Job) -> None:
    """A job function for FileRun: fails for odd-numbered sources."""
    if int(job.source.stem) % 2:
        raise ValueError(f'odd\nnumber {job.source.stem}')


def test_find_images_is_case_insensitive_recursive_and_skips_hidden(tmp_path):
    for name in ('a.PNG', 'b.jpeg', 'sub/c.TiF', 'sub/deeper/d.webp', 'notes.txt',
                 '.hidden.png', 'sub/.e.jpg.partial.jpg'):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b'')
    assert find_images(tmp_path) == [Path('a.PNG'), Path('b.jpeg'), Path('sub/c.TiF'),
                                     Path('sub/deeper/d.webp')]
    assert find_images(tmp_path, recursive=False) == [Path('a.PNG'), Path('b.jpeg')]
    assert find_files(tmp_path / 'sub', ('.webp',)) == [Path('deeper/d.webp')]
    assert Path('notes.txt') in find_files(tmp_path)
    assert is_image_file(tmp_path / 'a.PNG') and not is_image_file(tmp_path / 'notes.txt')
    assert not is_image_file(tmp_path / 'missing.png')


@pytest.mark.parametrize('shape, dtype, suffix', [
    ((5, 7), np.uint8, '.png'),
    ((5, 7, 3), np.uint8, '.bmp'),
    ((5, 7, 4), np.uint8, '.png'),
    ((5, 7, 3), np.uint16, '.png'),
    ((5, 7), np.uint16, '.tif'),
])
def test_lossless_formats_round_trip_with_depth_and_alpha(tmp_path, shape, dtype, suffix):
    image = _levels(shape, dtype)
    target = tmp_path / 'out' / f'image{suffix}'
    write_image(target, image)
    read = read_image(target)
    assert read.dtype == image.dtype and read.shape == image.shape
    np.testing.assert_array_equal(read, image)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_jpeg_is_read_with_its_exif_orientation(tmp_path):
    path = tmp_path / 'portrait.jpg'
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90_CLOCKWISE
    Image.fromarray(np.zeros((2, 6, 3), np.uint8)).save(path, exif=exif.tobytes())
    assert read_image(path).shape == (6, 2, 3)
    gray = tmp_path / 'gray.JPG'
    assert cv2.imwrite(str(gray), np.full((4, 4), 90, np.uint8))
    assert read_image(gray).shape == (4, 4)


def test_unreadable_and_missing_files_raise(tmp_path):
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'\x89PNG\r\n\x1a\n garbage')
    with pytest.raises(ValueError, match='not a readable image'):
        read_image(broken)
    (tmp_path / 'empty.jpg').write_bytes(b'')
    with pytest.raises(ValueError, match='not a readable image'):
        read_image(tmp_path / 'empty.jpg')
    with pytest.raises(OSError):
        read_image(tmp_path / 'missing.png')


def test_writes_are_atomic(tmp_path):
    target = tmp_path / 'photo.png'
    assert partial_path(target) == tmp_path / '.photo.png.partial.png'
    target.write_bytes(b'previous')
    with pytest.raises((ValueError, cv2.error)):
        write_image(target, np.zeros((4, 4, 7), np.float64))
    assert target.read_bytes() == b'previous'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['photo.png']

    partial_path(target).write_bytes(b'left by a killed run')
    write_image(target, np.zeros((4, 4), np.uint8))
    assert read_image(target).shape == (4, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['photo.png']

    copied = tmp_path / 'copies' / 'labels.json'
    copy_file(tmp_path / 'photo.png', copied)
    assert copied.read_bytes() == target.read_bytes()
    with pytest.raises(OSError):
        copy_file(tmp_path / 'missing.json', copied)
    assert copied.read_bytes() == target.read_bytes()
    assert sorted(p.name for p in copied.parent.iterdir()) == ['labels.json']


@pytest.mark.parametrize('shape', [(6, 5), (6, 5, 1), (6, 5, 3), (6, 5, 4)])
@pytest.mark.parametrize('dtype', [np.uint8, np.uint16])
def test_unit_rgb_round_trip_is_exact_and_keeps_alpha(shape, dtype):
    image = _levels(shape, dtype)
    if len(shape) == 3 and shape[2] == 4:
        image[..., 3] = np.arange(30).reshape(6, 5)
    rgb = to_unit_rgb(image)
    assert rgb.dtype == np.float32 and rgb.shape == (6, 5, 3)
    assert 0 <= rgb.min() and rgb.max() <= 1
    if len(shape) == 3 and shape[2] >= 3:
        np.testing.assert_allclose(rgb[..., 0] * np.iinfo(dtype).max, image[..., 2], atol=1e-2)
    restored = from_unit_rgb(rgb, like=image)
    assert restored.dtype == image.dtype and restored.shape == image.shape
    np.testing.assert_array_equal(restored, image)


def test_from_unit_rgb_clips_and_averages_gray():
    like = np.zeros((2, 2), np.uint8)
    rgb = np.stack([np.full((2, 2), v, np.float32) for v in (-1.0, 0.5, 2.0)], axis=-1)
    np.testing.assert_array_equal(from_unit_rgb(rgb, like), np.full((2, 2), 128))
    np.testing.assert_array_equal(from_unit_rgb(rgb, np.zeros((2, 2, 3), np.uint16))[0, 0],
                                  [65535, 32768, 0])


def test_unsupported_images_are_named():
    with pytest.raises(ValueError, match='float32'):
        to_unit_rgb(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match='channels: 2'):
        to_unit_rgb(np.zeros((2, 2, 2), np.uint8))


def test_preview_is_8_bit_bgr():
    deep = np.full((2, 3, 4), 65535, np.uint16)
    shown = preview(deep)
    assert shown.dtype == np.uint8 and shown.shape == (2, 3, 3) and (shown == PIXEL_MAX).all()
    assert preview(np.full((2, 3), 7, np.uint8)).shape == (2, 3, 3)


def test_is_within(tmp_path):
    (tmp_path / 'a' / 'b').mkdir(parents=True)
    assert is_within(tmp_path / 'a' / 'b', tmp_path / 'a')
    assert is_within(tmp_path / 'a' / 'b' / '..', tmp_path / 'a')
    assert not is_within(tmp_path / 'a', tmp_path / 'a' / 'b')
    assert not is_within(tmp_path / 'ab', tmp_path / 'a')


@pytest.mark.parametrize('workers', [1, 2])
def test_file_run_reports_each_failure_twice_and_counts(tmp_path, capsys, workers):
    jobs = [_Job(tmp_path / f'{i}.png') for i in range(5)]
    run = FileRun('written', total=len(jobs), skipped=3, prefix='[rank 1] ')
    run.process(_fail_on_odd, jobs, workers=workers)
    assert run.finish() == EXIT_SOME_FAILED
    err = capsys.readouterr().err
    assert '[rank 1] 3 written, 3 skipped, 2 failed' in err
    for odd in ('1.png', '3.png'):
        assert err.count(f'{odd}: odd number') == 2
    assert f'[rank 1] error: {jobs[1].source}: odd number 1' in err
    assert f'[rank 1]   failed: {jobs[3].source}: odd number 3' in err


def test_file_run_without_failures_or_progress(capsys):
    run = FileRun('derained', total=2, show_progress=False)
    run.process(_fail_on_odd, [_Job(Path('0.png')), _Job(Path('2.png'))])
    assert run.finish() == EXIT_OK
    assert capsys.readouterr().err == '2 derained, 0 skipped, 0 failed\n'


def test_usage_errors_are_printed_and_exit_with_2(capsys):
    assert report_usage_error(UsageError('--out-dir is inside the input')) == EXIT_USAGE
    assert capsys.readouterr().err == 'error: --out-dir is inside the input\n'
