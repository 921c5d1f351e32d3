"""Write the built-in photo set used by the small CPU config.

scikit-image ships a few colour photographs that load without a download.
This tool saves them as PNG files for
``configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py``, which adds
rain to them on the fly (``AddRain``):

    data/builtin_photos/
    ├── train/   5 photos, longer side at most 512 px (random 64 px crops)
    ├── val/     the same 5 photos, longer side 128 px (checkpoint
    │            selection: unseen rain, seen content; no test photo)
    └── test/    2 held-out photos (chelsea, coffee), longer side at most
                 512 px

Each PNG is written atomically (``cpra_mm.utils.image_io.write_image``), and
an existing file is replaced. Exit status: 0 on success, 2 on bad arguments.

Example:
    python tools/prepare_builtin_photos.py --out data/builtin_photos
"""
import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import mmcv
import numpy as np
from skimage import data as skdata

from cpra_mm.utils.image_io import EXIT_OK, UsageError, report_usage_error, write_image

PHOTOS: Dict[str, Callable[[], np.ndarray]] = {
    'astronaut': skdata.astronaut,
    'coffee': skdata.coffee,
    'chelsea': skdata.chelsea,
    'rocket': skdata.rocket,
    'immunohistochemistry': skdata.immunohistochemistry,
    'hubble_deep_field': skdata.hubble_deep_field,
    'retina': skdata.retina,
}
"""Colour photographs of scikit-image that need no download."""

DEFAULT_TEST = ('chelsea', 'coffee')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Save scikit-image photos as train/val/test folders.')
    parser.add_argument('--out', default='data/builtin_photos', type=Path,
                        help='output folder (default data/builtin_photos)')
    parser.add_argument('--test', nargs='+', default=list(DEFAULT_TEST),
                        choices=sorted(PHOTOS),
                        help='photos held out for testing (default: '
                        f'{" ".join(DEFAULT_TEST)})')
    parser.add_argument('--max-side', type=int, default=512,
                        help='longer side of train and test photos, px')
    parser.add_argument('--val-side', type=int, default=128,
                        help='longer side of the validation copies, px')
    return parser.parse_args(argv)


def fit_longer_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (area interpolation) so the longer side is <= ``max_side``.

    Args:
        image: ``H x W x 3`` uint8.
        max_side: the largest allowed ``max(H, W)``.

    Returns:
        ``H' x W' x 3`` uint8; the input itself when already small enough.
    """
    scale = max_side / max(image.shape[:2])
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)),
            max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Write the photo set; return the exit code."""
    args = parse_args(argv)
    test = set(args.test)
    if len(test) >= len(PHOTOS):
        return report_usage_error(UsageError('keep at least one photo for training'))
    written: Dict[str, List[str]] = {'train': [], 'val': [], 'test': []}
    for name, load in PHOTOS.items():
        photo = np.ascontiguousarray(load()[..., :3]).astype(np.uint8)
        splits = {'test': args.max_side} if name in test else {
            'train': args.max_side, 'val': args.val_side}
        for split, side in splits.items():
            write_image(args.out / split / f'{name}.png',
                        mmcv.rgb2bgr(fit_longer_side(photo, side)))
            written[split].append(name)
    for split, names in written.items():
        print(f'{split}: {", ".join(names)}')
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
