"""Split DID-Data's side-by-side pair images into input/ and target/ folders.

DID-Data (DID-MDN, CVPR 2018) stores each training and test pair as one
image, the rainy half beside the clean half. This tool finds every image
under SRC (recursively, e.g. the Rain_Light / Rain_Medium / Rain_Heavy
subfolders), cuts it at the middle column and writes lossless PNGs

    OUT/input/<flat name>.png    the rainy half
    OUT/target/<flat name>.png   the clean half

where <flat name> is the path below SRC with '/' replaced by '_' (so
equal file names in different density folders do not collide).

Example:
    python tools/dataset_converters/did_data.py \
        DID-MDN-datasets/DID-MDN-training data/DID-Data/train
"""
import argparse
import os
import os.path as osp
from typing import List, Tuple

import cv2
import numpy as np

from paired_folders import IMAGE_SUFFIXES, make_pair_folders


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Split DID-Data side-by-side images into pairs.')
    parser.add_argument('src', help='folder of side-by-side images')
    parser.add_argument('out', help='output folder (gets input/ and target/)')
    parser.add_argument('--rainy-side', choices=['left', 'right'],
                        default='left',
                        help='half that holds the rainy image (default left)')
    return parser.parse_args()


def find_images(root: str) -> List[str]:
    """Paths of the images below ``root``, relative to it, sorted."""
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            if name.lower().endswith(IMAGE_SUFFIXES):
                found.append(osp.relpath(osp.join(folder, name), root))
    return sorted(found)


def split_halves(image: np.ndarray, rainy_side: str) -> Tuple[np.ndarray, np.ndarray]:
    """Cut an ``H x 2W x C`` image into (rainy, clean) ``H x W x C`` halves.

    Raises:
        ValueError: if the width is odd.
    """
    width = image.shape[1]
    if width % 2:
        raise ValueError(f'expected an even width (two halves), got {width}')
    left, right = image[:, :width // 2], image[:, width // 2:]
    return (left, right) if rainy_side == 'left' else (right, left)


def main() -> None:
    args = parse_args()
    input_dir, target_dir = make_pair_folders(args.out)
    count = 0
    for rel in find_images(args.src):
        image = cv2.imread(osp.join(args.src, rel), cv2.IMREAD_COLOR)
        if image is None:
            raise OSError(f'cannot read {osp.join(args.src, rel)}')
        rainy, clean = split_halves(image, args.rainy_side)
        name = osp.splitext(rel)[0].replace(os.sep, '_') + '.png'
        cv2.imwrite(osp.join(input_dir, name), rainy)
        cv2.imwrite(osp.join(target_dir, name), clean)
        count += 1
    print(f'{count} pairs written to {args.out}/input and {args.out}/target')


if __name__ == '__main__':
    main()
