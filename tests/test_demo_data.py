"""Tests of the shapes-on-photos generator and tools/make_demo_data.py."""
import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from pycocotools.coco import COCO

from cpra_mm.datasets.shapes_on_photos import (CLASSES, ShapesOnPhotos, load_photos, shape_mask,
                                               tight_box)
from tool_loading import load_tool

@pytest.fixture(scope='module')
def tool():
    yield load_tool('make_demo_data')
    del sys.modules['make_demo_data']


@pytest.fixture(scope='module')
def photos():
    return load_photos()


def _digests(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


def test_load_photos_gives_rgb_uint8(photos):
    assert len(photos) == 7
    for photo in photos:
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3


def test_same_seed_same_images_other_seed_other_images(photos):
    first = ShapesOnPhotos(photos, image_size=64, object_size=(8, 22), seed=3)
    again = ShapesOnPhotos(photos, image_size=64, object_size=(8, 22), seed=3)
    other = ShapesOnPhotos(photos, image_size=64, object_size=(8, 22), seed=4)
    for index in (0, 5):
        a, b = first.sample(index, 'val'), again.sample(index, 'val')
        np.testing.assert_array_equal(a.image, b.image)
        np.testing.assert_array_equal(a.masks, b.masks)
        np.testing.assert_array_equal(a.boxes, b.boxes)
        np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(first.sample(0, 'val').image, other.sample(0, 'val').image)
    assert not np.array_equal(first.sample(0, 'val').image, first.sample(0, 'train').image)


def test_boxes_tight_masks_disjoint_label_map_exact(photos):
    generator = ShapesOnPhotos(photos, image_size=96, objects_per_image=(2, 5),
                               object_size=(10, 30), seed=0)
    objects = 0
    for index in range(12):
        sample = generator.sample(index, 'train')
        assert sample.image.shape == (96, 96, 3) and sample.image.dtype == np.uint8
        assert sample.masks.dtype == bool and sample.masks.shape[1:] == (96, 96)
        assert len(sample.labels) == len(sample.masks) == len(sample.boxes) >= 1
        assert sample.masks.sum(axis=0).max() <= 1, 'objects overlap'
        label_map = sample.label_map()
        for label, mask, box in zip(sample.labels, sample.masks, sample.boxes):
            x0, y0, x1, y1 = box.astype(int)
            assert mask.any()
            assert mask[y0:y1, x0:x1].sum() == mask.sum(), 'mask leaves its box'
            for edge in (mask[y0, x0:x1], mask[y1 - 1, x0:x1], mask[y0:y1, x0],
                         mask[y0:y1, x1 - 1]):
                assert edge.any(), 'box is not tight'
            assert (label_map[mask] == label + 1).all()
            objects += 1
        assert (label_map > 0).sum() == sample.masks.sum()
    assert objects >= 24


def test_shape_mask_and_tight_box():
    disk = shape_mask('disk', (20.0, 20.0), 11.0, 0.0, 40)
    np.testing.assert_array_equal(tight_box(disk), [14, 14, 27, 27])
    for kind in CLASSES:
        assert shape_mask(kind, (20.0, 20.0), 16.0, 0.3, 40).sum() > 50
    with pytest.raises(ValueError, match='unknown shape'):
        shape_mask('hexagon', (20.0, 20.0), 16.0, 0.0, 40)
    with pytest.raises(ValueError, match='non-empty'):
        tight_box(np.zeros((4, 4), bool))


def test_generator_rejects_bad_arguments(photos):
    with pytest.raises(ValueError, match='object_size'):
        ShapesOnPhotos(photos, image_size=64, object_size=(8, 64))
    with pytest.raises(ValueError, match='smaller than image_size'):
        ShapesOnPhotos([np.zeros((32, 32, 3), np.uint8)], image_size=64, object_size=(8, 20))
    with pytest.raises(ValueError, match='split'):
        ShapesOnPhotos(photos, image_size=64, object_size=(8, 20)).sample(0, 'holdout')


def test_make_demo_data_writes_valid_coco_and_label_maps(tool, tmp_path, capsys):
    out = tmp_path / 'shapes'
    args = ['--out', str(out), '--num-train', '6', '--num-val', '3', '--size', '64']
    assert tool.main(args) == 0
    assert 'train: 6 images' in capsys.readouterr().out
    for split, count in (('train', 6), ('val', 3)):
        coco = COCO(str(out / 'annotations' / f'instances_{split}.json'))
        assert sorted(c['name'] for c in coco.loadCats(coco.getCatIds())) == sorted(CLASSES)
        assert len(coco.getImgIds()) == count
        for image_info in coco.loadImgs(coco.getImgIds()):
            image = cv2.imread(str(out / 'images' / split / image_info['file_name']))
            label_map = cv2.imread(str(out / 'masks' / split / image_info['file_name']),
                                   cv2.IMREAD_UNCHANGED)
            assert image.shape == (64, 64, 3) and label_map.shape == (64, 64)
            assert label_map.dtype == np.uint8 and label_map.max() <= len(CLASSES)
            annotations = coco.loadAnns(coco.getAnnIds(imgIds=image_info['id']))
            assert annotations
            painted = np.zeros((64, 64), bool)
            for ann in annotations:
                mask = coco.annToMask(ann).astype(bool)
                assert mask.sum() == ann['area']
                assert (label_map[mask] == ann['category_id']).all()
                x, y, w, h = ann['bbox']
                np.testing.assert_array_equal(tight_box(mask), [x, y, x + w, y + h])
                painted |= mask
            np.testing.assert_array_equal(painted, label_map > 0)
    json.loads((out / 'annotations' / 'instances_val.json').read_text())


def test_make_demo_data_is_deterministic(tool, tmp_path):
    args = ['--num-train', '2', '--num-val', '2', '--size', '64', '--seed', '7']
    assert tool.main(['--out', str(tmp_path / 'a')] + args) == 0
    assert tool.main(['--out', str(tmp_path / 'b')] + args) == 0
    assert _digests(tmp_path / 'a') == _digests(tmp_path / 'b')


def test_encode_rle_round_trip(tool):
    from pycocotools import mask as mask_utils
    rng = np.random.default_rng(0)
    for mask in (rng.random((7, 5)) > 0.5, np.ones((3, 4), bool), np.zeros((3, 4), bool)):
        rle = tool.encode_rle(mask)
        compressed = mask_utils.frPyObjects(rle, *rle['size'])
        np.testing.assert_array_equal(mask_utils.decode(compressed).astype(bool), mask)
