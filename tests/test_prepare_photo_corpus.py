"""tools/dataset_converters/prepare_photo_corpus.py on a tiny local folder
(``--from-folder``: no download), plus its copyright and Qt-resource
readers."""
import csv
import importlib.util
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

TOOL = (Path(__file__).resolve().parents[1] / 'tools' / 'dataset_converters'
        / 'prepare_photo_corpus.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('prepare_photo_corpus',
                                                  TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules['prepare_photo_corpus'] = module
    spec.loader.exec_module(module)
    return module


def fake_photo(seed: int, h: int = 256, w: int = 320) -> np.ndarray:
    """A colour gradient with texture at every scale (1/f-like noise):
    passes the photo filter like a photograph does."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([xx / w, yy / h, 1 - xx / w], axis=-1) * 120 + 40
    texture = np.zeros((h, w, 3), np.float32)
    for octave in range(7):
        step = 2 ** octave
        noise = rng.normal(size=(h // step + 2, w // step + 2, 3))
        texture += cv2.resize(noise.astype(np.float32), (w, h),
                              interpolation=cv2.INTER_CUBIC) * 4 * step ** .5
    image = np.clip(base + texture, 0, 255).astype(np.uint8)
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)


def drawing(h: int = 256, w: int = 320) -> np.ndarray:
    """Flat colours on white, like clip art: must be rejected."""
    image = np.full((h, w, 3), 255, np.uint8)
    cv2.rectangle(image, (20, 30), (150, 200), (0, 90, 230), -1)
    cv2.circle(image, (230, 120), 60, (40, 200, 40), -1)
    return image


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """Run the tool twice on a folder of 5 photos, a resized copy of one of
    them, a drawing and a too small image."""
    root = tmp_path_factory.mktemp('corpus')
    src = root / 'my_photos'
    (src / 'sub').mkdir(parents=True)
    photos = [fake_photo(seed) for seed in range(5)]
    for i, photo in enumerate(photos):
        cv2.imwrite(str(src / f'photo{i}.png'), photo)
    cv2.imwrite(str(src / 'sub' / 'photo0_big.jpg'),
                cv2.resize(photos[0], (480, 384),
                           interpolation=cv2.INTER_CUBIC),
                [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(src / 'drawing.png'), drawing())
    cv2.imwrite(str(src / 'tiny.png'), fake_photo(9, 64, 64))
    out = root / 'out'
    cmd = [sys.executable, str(TOOL), '--from-folder', str(src),
           '--folder-licence', 'CC0-1.0', '--out', str(out),
           '--max-side', '128', '--contact-sheets']
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    manifest_1 = (out / 'manifest.csv').read_text()
    mtimes = {p: p.stat().st_mtime_ns for p in (out / 'images').rglob('*')}
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    return dict(src=src, out=out, manifest_1=manifest_1, mtimes=mtimes,
                log=first.stdout + first.stderr)


def read_csv(path: Path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def test_manifest_lists_the_photos(corpus):
    rows = read_csv(corpus['out'] / 'manifest.csv')
    assert list(rows[0]) == ['file', 'split', 'source', 'version',
                             'orig_path', 'licence', 'copyright', 'width',
                             'height', 'category', 'sha1']
    # five distinct photos; the resized copy of photo0 is a duplicate and
    # the larger copy is the one kept
    assert len(rows) == 5
    kept = sorted(r['orig_path'] for r in rows)
    assert kept == ['photo1.png', 'photo2.png', 'photo3.png', 'photo4.png',
                    'sub/photo0_big.jpg']
    for row in rows:
        assert row['source'] == 'my_photos'
        assert row['licence'] == 'CC0-1.0'
        assert row['split'] in ('train', 'val', 'test')
        image = cv2.imread(str(corpus['out'] / row['file']))
        assert image is not None
        assert min(image.shape[:2]) == 128  # shorter side scaled to 128
        assert (int(row['width']), int(row['height'])) == (
            image.shape[1], image.shape[0])
        assert row['file'].startswith('images/my_photos/')
    # the held-out share covers the (single) category
    assert any(r['split'] == 'test' for r in rows)
    assert any(r['split'] == 'train' for r in rows)
    # ann_file lists of BasicImageDataset, relative to images/
    for split in ('train', 'val', 'test'):
        listed = (corpus['out'] / 'meta' / f'{split}.txt').read_text(
        ).split()
        assert sorted(listed) == sorted(
            r['file'][len('images/'):] for r in rows if r['split'] == split)


def test_rejections_are_recorded(corpus):
    rows = {r['orig_path']: r for r in read_csv(
        corpus['out'] / 'candidates.csv')}
    assert len(rows) == 8
    assert rows['drawing.png']['decision'] == 'rejected'
    assert rows['tiny.png']['reason'].startswith('small')
    assert rows['photo0.png']['reason'] == (
        'duplicate of my_photos:sub/photo0_big.jpg')
    assert not (corpus['out'] / 'images' / 'my_photos' / 'drawing.png'
                ).exists()


def test_rerun_is_idempotent(corpus):
    out = corpus['out']
    assert (out / 'manifest.csv').read_text() == corpus['manifest_1']
    assert {p: p.stat().st_mtime_ns for p in (out / 'images').rglob('*')} \
        == corpus['mtimes']
    # nothing written next to the inputs
    assert sorted(p.name for p in corpus['src'].rglob('*')) == sorted(
        ['drawing.png', 'photo0.png', 'photo1.png', 'photo2.png',
         'photo3.png', 'photo4.png', 'sub', 'photo0_big.jpg', 'tiny.png'])
    sheets = {p.name for p in (out / 'contact_sheets').iterdir()}
    assert 'accepted_my_photos_0.png' in sheets
    assert 'test_0.png' in sheets


def test_split_is_deterministic(tool):
    first = tool.split_of('a/b', 0.15, 0.03)
    assert tool.split_of('a/b', 0.15, 0.03) == first
    splits = [tool.split_of(f'src/{i}', 0.15, 0.03)[0] for i in range(2000)]
    assert 0.12 < splits.count('test') / 2000 < 0.18
    assert 0.015 < splits.count('val') / 2000 < 0.045


def test_opencv_samples_are_refused():
    proc = subprocess.run([sys.executable, str(TOOL), '--packages',
                           'opencv-data', '--out', '/nonexistent/x'],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert 'reserved' in proc.stderr


def test_dep5_licence_per_file(tool):
    text = '\n'.join([
        'Format: https://www.debian.org/doc/packaging-manuals/'
        'copyright-format/1.0/', '',
        'Files: *', 'Copyright: 2020 Someone', 'License: GPL-3+', '',
        'Files: src/activities/erase/resource/gorilla.jpg',
        'Copyright: Jane Doe', 'License: CC-BY-SA-3.0', '',
        'Files: backgrounds/*.png', 'Copyright: Foo', 'License: CC0-1.0',
        '', 'License: GPL-3+', ' On Debian systems ...'])
    stanzas, _ = tool.parse_copyright(text)
    assert len(stanzas) == 3
    # installed as .webp inside a Qt resource bundle
    assert tool.licence_of(
        'gcompris/src/activities/erase/resource/gorilla.webp', stanzas,
        '') == ('CC-BY-SA-3.0', 'Jane Doe')
    assert tool.licence_of('usr/share/backgrounds/x.png', stanzas, '')[0] \
        == 'CC0-1.0'
    assert tool.licence_of('usr/share/other/y.jpg', stanzas, '')[0] \
        == 'GPL-3+'
    free_form, fallback = tool.parse_copyright(
        'This package is licensed under the GPL-2, see '
        '/usr/share/common-licenses/GPL-2.')
    assert free_form == [] and 'GPL-2' in fallback


def test_qt_resource_reader(tool):
    """A hand-built version-1 ``.rcc``: /a/x.png (stored) and /a/y.txt
    (zlib-compressed)."""
    def name(text: str) -> bytes:
        return (struct.pack('>HI', len(text), 0)
                + text.encode('utf-16-be'))
    names = name('a') + name('x.png') + name('y.txt')
    off_a, off_x = 0, len(name('a'))
    off_y = off_x + len(name('x.png'))
    png = b'\x89PNG fake'
    txt = b'hello' * 10
    packed = struct.pack('>I', len(txt)) + zlib.compress(txt)
    data = (struct.pack('>I', len(png)) + png
            + struct.pack('>I', len(packed)) + packed)
    tree = (struct.pack('>IHII', 0, 2, 1, 1)  # root: 1 child from node 1
            + struct.pack('>IHII', off_a, 2, 2, 2)  # a/: nodes 2, 3
            + struct.pack('>IHHHI', off_x, 0, 0, 0, 0)
            + struct.pack('>IHHHI', off_y, 1, 0, 0, 4 + len(png)))
    header_size = 20
    blob = (b'qres' + struct.pack('>IIII', 1, header_size,
                                  header_size + len(tree),
                                  header_size + len(tree) + len(data))
            + tree + data + names)
    members = dict(tool.rcc_members(blob))
    assert members == {'/a/x.png': png, '/a/y.txt': txt}
