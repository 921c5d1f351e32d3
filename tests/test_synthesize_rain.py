"""Tests of tools/synthesize_rain.py, run in-process through its main()."""
import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from cpra_mm.utils.image_io import partial_path
from tool_loading import load_tool

RAIN = ['--density', '150,200', '--length', '8,12', '--intensity', '0.5,0.7']


@pytest.fixture(scope='module')
def tool():
    yield load_tool('synthesize_rain')
    del sys.modules['synthesize_rain']


def _image(seed: int, shape=(24, 32, 3), dtype=np.uint8) -> np.ndarray:
    """A smooth random image of the given shape and integer dtype."""
    full_scale = np.iinfo(dtype).max
    noise = np.random.default_rng(seed).uniform(0, 0.6, (4, 4) + shape[2:])
    smooth = cv2.resize(noise.astype(np.float32), shape[1::-1])
    return (smooth.reshape(shape) * full_scale).astype(dtype)


def _write(path: Path, image: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)
    return path


def _digests(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob('*')) if path.is_file()
    }


def _read(path: Path) -> np.ndarray:
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


@pytest.fixture
def folder(tmp_path) -> Path:
    """clean/ with RGB, 16-bit, grayscale, BGRA and JPEG images, and a note."""
    src = tmp_path / 'clean'
    _write(src / 'a.png', _image(0))
    _write(src / 'deep' / 'b16.png', _image(1, dtype=np.uint16))
    _write(src / 'deep' / 'er' / 'gray.png', _image(2, shape=(24, 32)))
    _write(src / 'alpha.png', _image(3, shape=(24, 32, 4)))
    _write(src / 'photo.jpg', _image(4))
    (src / 'notes.txt').write_text('not an image')
    return src


IMAGES = ['a.png', 'alpha.png', 'deep/b16.png', 'deep/er/gray.png', 'photo.jpg']


def test_folder_mirrors_layout_extension_and_bit_depth(tool, folder, tmp_path):
    before = _digests(folder)
    out = tmp_path / 'rainy'
    assert tool.main(['folder', str(folder), str(out), *RAIN]) == 0

    assert sorted(_digests(out)) == IMAGES
    assert _digests(folder) == before
    for name in IMAGES:
        clean, rainy = _read(folder / name), _read(out / name)
        assert rainy.dtype == clean.dtype and rainy.shape == clean.shape
        assert rainy.astype(float).mean() > clean.astype(float).mean()
    np.testing.assert_array_equal(_read(out / 'alpha.png')[..., 3],
                                  _read(folder / 'alpha.png')[..., 3])


def test_second_run_skips_and_resume_completes(tool, folder, tmp_path, capsys):
    out = tmp_path / 'rainy'
    assert tool.main(['folder', str(folder), str(out), *RAIN]) == 0
    first = _digests(out)
    capsys.readouterr()

    assert tool.main(['folder', str(folder), str(out), *RAIN]) == 0
    assert '0 written, 5 skipped' in capsys.readouterr().err
    assert _digests(out) == first

    (out / 'deep' / 'b16.png').unlink()
    stale = partial_path(out / 'a.png')
    stale.write_bytes(b'half a png')
    (out / 'a.png').unlink()
    assert tool.main(['folder', str(folder), str(out), *RAIN]) == 0
    assert '2 written, 3 skipped' in capsys.readouterr().err
    assert _digests(out) == first
    assert not stale.exists()


def test_rain_does_not_depend_on_order_or_workers(tool, folder, tmp_path):
    serial, parallel = tmp_path / 'serial', tmp_path / 'parallel'
    assert tool.main(['folder', str(folder), str(serial), *RAIN]) == 0
    assert tool.main(['folder', str(folder), str(parallel), *RAIN,
                      '--workers', '2']) == 0
    assert _digests(serial) == _digests(parallel)

    other_seed = tmp_path / 'other_seed'
    assert tool.main(['folder', str(folder), str(other_seed), *RAIN,
                      '--seed', '1']) == 0
    assert _digests(other_seed)['a.png'] != _digests(serial)['a.png']


def test_corrupt_file_is_reported_and_skipped(tool, folder, tmp_path, capsys):
    (folder / 'deep' / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n garbage')
    out = tmp_path / 'rainy'
    assert tool.main(['folder', str(folder), str(out), *RAIN]) == 1
    err = capsys.readouterr().err
    assert 'broken.png' in err
    assert sorted(_digests(out)) == IMAGES


@pytest.mark.parametrize('where', ['same', 'inside', 'around'])
def test_overlapping_output_is_refused(tool, folder, capsys, where):
    out = {'same': folder, 'inside': folder / 'rainy',
           'around': folder.parent}[where]
    before = _digests(folder.parent)
    assert tool.main(['folder', str(folder), str(out)]) == 2
    assert 'error:' in capsys.readouterr().err
    assert _digests(folder.parent) == before


def test_invalid_options(tool, folder, tmp_path, capsys):
    out = tmp_path / 'rainy'
    assert tool.main(['folder', str(folder), str(out), '--density', '-5']) == 2
    assert 'density' in capsys.readouterr().err
    assert tool.main(['folder', str(folder), str(out), '--seed', '-1']) == 2
    assert tool.main(['folder', str(tmp_path / 'missing'), str(out)]) == 2
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['folder', str(folder), str(out), '--angle', 'left'])
    assert exit_info.value.code == 2
    assert not out.exists()


def test_range_options_parse(tool, folder, tmp_path):
    assert tool.parse_range('20,40') == (20.0, 40.0)
    assert tool.parse_range('0.5') == 0.5
    assert tool.parse_int_range('1,3') == (1, 3)
    out = tmp_path / 'rainy'
    assert tool.main(['folder', str(folder), str(out), '--angle=-30,-10',
                      '--layers', '2', '--haze', '0.2,0.3', '--width', '1']) == 0
    assert sorted(_digests(out)) == IMAGES


def test_help_describes_the_modes(tool, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['--help'])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert all(mode in text for mode in ('folder', 'coco', 'cityscapes'))
    with pytest.raises(SystemExit):
        tool.main(['coco', '--help'])
    assert '--ann-file' in capsys.readouterr().out


@pytest.fixture
def coco(tmp_path) -> Path:
    """coco/ with val2017/ (two listed images, one unlisted) and annotations."""
    root = tmp_path / 'coco'
    _write(root / 'val2017' / '000000000001.jpg', _image(10))
    _write(root / 'val2017' / 'sub' / '000000000002.png', _image(11))
    _write(root / 'val2017' / 'unlisted.jpg', _image(12))
    annotation = {
        'images': [
            {'id': 1, 'file_name': '000000000001.jpg', 'height': 24, 'width': 32},
            {'id': 2, 'file_name': 'sub/000000000002.png', 'height': 24, 'width': 32},
        ],
        'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1,
                         'bbox': [1, 2, 10, 8], 'area': 80, 'iscrowd': 0}],
        'categories': [{'id': 1, 'name': 'person'}],
    }
    (root / 'annotations').mkdir()
    (root / 'annotations' / 'instances_val2017.json').write_text(
        json.dumps(annotation, indent=1))
    return root


def test_coco_renders_listed_images_and_copies_annotations(tool, coco, tmp_path):
    before = _digests(coco)
    out = tmp_path / 'coco_rain'
    args = ['coco', '--ann-file', str(coco / 'annotations' / 'instances_val2017.json'),
            '--img-dir', str(coco / 'val2017'), str(out), *RAIN]
    assert tool.main(args) == 0

    rendered = _digests(out)
    assert sorted(rendered) == [
        'annotations/instances_val2017.json', 'val2017/000000000001.jpg',
        'val2017/sub/000000000002.png'
    ]
    assert (rendered['annotations/instances_val2017.json'] ==
            before['annotations/instances_val2017.json'])
    assert rendered['val2017/sub/000000000002.png'] != before['val2017/sub/000000000002.png']
    assert _digests(coco) == before
    assert tool.main(args) == 0
    assert _digests(out) == rendered


def test_coco_refuses_output_holding_the_annotation_file(tool, coco, capsys):
    args = ['coco', '--ann-file', str(coco / 'annotations' / 'instances_val2017.json'),
            '--img-dir', str(coco / 'val2017'), str(coco)]
    assert tool.main(args) == 2
    assert 'inside the output' in capsys.readouterr().err


def test_coco_missing_image_fails_that_image_only(tool, coco, tmp_path, capsys):
    (coco / 'val2017' / '000000000001.jpg').unlink()
    out = tmp_path / 'coco_rain'
    args = ['coco', '--ann-file', str(coco / 'annotations' / 'instances_val2017.json'),
            '--img-dir', str(coco / 'val2017'), str(out)]
    assert tool.main(args) == 1
    assert '000000000001.jpg' in capsys.readouterr().err
    assert (out / 'val2017' / 'sub' / '000000000002.png').exists()


@pytest.fixture
def cityscapes(tmp_path) -> Path:
    """A Cityscapes tree: two splits, images and gtFine labels."""
    root = tmp_path / 'cityscapes'
    for split, city, seed in (('train', 'aachen', 20), ('val', 'frankfurt', 21)):
        stem = f'{city}_000000_000019'
        _write(root / 'leftImg8bit' / split / city / f'{stem}_leftImg8bit.png',
               _image(seed))
        labels = root / 'gtFine' / split / city
        _write(labels / f'{stem}_gtFine_labelTrainIds.png',
               np.full((24, 32), 7, np.uint8))
        (labels / f'{stem}_gtFine_polygons.json').write_text('{"objects": []}')
    return root


def test_cityscapes_renders_images_and_copies_labels(tool, cityscapes, tmp_path):
    before = _digests(cityscapes)
    out = tmp_path / 'cityscapes_rain'
    assert tool.main(['cityscapes', str(cityscapes), str(out), *RAIN]) == 0

    rendered = _digests(out)
    assert sorted(rendered) == sorted(before)
    for name, digest in rendered.items():
        if name.startswith('gtFine/'):
            assert digest == before[name]
        else:
            assert digest != before[name]
    assert _digests(cityscapes) == before

    val_only = tmp_path / 'val_only'
    assert tool.main(['cityscapes', str(cityscapes), str(val_only),
                      '--splits', 'val', *RAIN]) == 0
    assert all('/val/' in name for name in _digests(val_only))
    np.testing.assert_array_equal(
        _read(val_only / 'leftImg8bit/val/frankfurt/frankfurt_000000_000019_leftImg8bit.png'),
        _read(out / 'leftImg8bit/val/frankfurt/frankfurt_000000_000019_leftImg8bit.png'))
