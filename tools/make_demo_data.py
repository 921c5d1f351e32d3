"""Write the demo detection / segmentation set: shapes drawn on photo crops.

Layout (``--out``, default ``data/demo_shapes``)::

    images/{train,val}/000000.png          RGB photos with shapes (PNG)
    masks/{train,val}/000000.png           uint8 label maps: 0 background,
                                           1 disk, 2 square, 3 triangle
    annotations/instances_{train,val}.json COCO: boxes [x, y, w, h], exact
                                           masks as uncompressed RLE

The set depends only on ``--seed`` and the sizes (see
:mod:`cpra_mm.datasets.shapes_on_photos`); it takes a few seconds.

Example:
    python tools/make_demo_data.py --out data/demo_shapes --num-train 400 --num-val 128
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from cpra_mm.datasets.shapes_on_photos import (CLASSES, PALETTE, ShapesOnPhotos,
                                               ShapesSample, load_photos)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write the shapes-on-photos demo set (COCO json + label maps).')
    parser.add_argument('--out', default='data/demo_shapes', help='output folder')
    parser.add_argument('--num-train', type=int, default=400, help='training images')
    parser.add_argument('--num-val', type=int, default=128, help='validation images')
    parser.add_argument('--size', type=int, default=128, help='image side, pixels')
    parser.add_argument('--min-objects', type=int, default=1, help='fewest objects per image')
    parser.add_argument('--max-objects', type=int, default=4, help='most objects per image')
    parser.add_argument('--min-object-size', type=float, default=None,
                        help='smallest shape diameter, px (default size / 8)')
    parser.add_argument('--max-object-size', type=float, default=None,
                        help='largest shape diameter, px (default size * 11 / 32)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (>= 0)')
    args = parser.parse_args(argv)
    for name in ('num_train', 'num_val', 'size'):
        if getattr(args, name) < 0:
            parser.error(f'--{name.replace("_", "-")} must be >= 0')
    return args


def encode_rle(mask: np.ndarray) -> Dict[str, list]:
    """COCO's uncompressed RLE of an ``H x W`` bool mask.

    Returns:
        ``{'size': [H, W], 'counts': [...]}``: run lengths of the mask read
        in column-major order, starting with a (possibly empty) run of zeros.
    """
    flat = np.asfortranarray(mask).ravel(order='F').astype(np.uint8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts
    return {'size': [int(mask.shape[0]), int(mask.shape[1])], 'counts': counts}


def coco_annotations(sample: ShapesSample, image_id: int,
                     first_ann_id: int) -> List[dict]:
    """COCO instance records of one image (category ids are labels + 1)."""
    records = []
    for offset, (label, mask, box) in enumerate(
            zip(sample.labels, sample.masks, sample.boxes)):
        x0, y0, x1, y1 = (float(v) for v in box)
        records.append({
            'id': first_ann_id + offset,
            'image_id': image_id,
            'category_id': int(label) + 1,
            'bbox': [x0, y0, x1 - x0, y1 - y0],
            'area': float(mask.sum()),
            'segmentation': encode_rle(mask),
            'iscrowd': 0,
        })
    return records


def write_split(generator: ShapesOnPhotos, out: str, split: str, count: int) -> int:
    """Write ``count`` images, label maps and the COCO json of ``split``.

    Returns:
        The number of objects written.
    """
    image_dir = osp.join(out, 'images', split)
    mask_dir = osp.join(out, 'masks', split)
    for folder in (image_dir, mask_dir, osp.join(out, 'annotations')):
        os.makedirs(folder, exist_ok=True)
    images, annotations = [], []
    for index in range(count):
        sample = generator.sample(index, split)
        name = f'{index:06d}.png'
        if not cv2.imwrite(osp.join(image_dir, name), sample.image[..., ::-1]):
            raise OSError(f'could not write {osp.join(image_dir, name)}')
        if not cv2.imwrite(osp.join(mask_dir, name), sample.label_map()):
            raise OSError(f'could not write {osp.join(mask_dir, name)}')
        image_id = index + 1
        height, width = sample.image.shape[:2]
        images.append({'id': image_id, 'file_name': name,
                       'width': width, 'height': height})
        annotations += coco_annotations(sample, image_id, len(annotations) + 1)
    categories = [{'id': i + 1, 'name': name, 'supercategory': 'shape'}
                  for i, name in enumerate(CLASSES)]
    coco = {
        'info': {'description': f'shapes on photos, {split} split',
                 'palette': [list(c) for c in PALETTE]},
        'images': images,
        'annotations': annotations,
        'categories': categories,
    }
    with open(osp.join(out, 'annotations', f'instances_{split}.json'), 'w') as f:
        json.dump(coco, f)
    return len(annotations)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    generator = ShapesOnPhotos(
        load_photos(),
        image_size=args.size,
        objects_per_image=(args.min_objects, args.max_objects),
        object_size=(args.min_object_size or args.size / 8,
                     args.max_object_size or args.size * 11 / 32),
        seed=args.seed)
    for split, count in (('train', args.num_train), ('val', args.num_val)):
        objects = write_split(generator, args.out, split, count)
        print(f'{split}: {count} images, {objects} objects -> '
              f'{osp.join(args.out, "images", split)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
