"""Pair DDN-Data's 14 rainy versions per clean image by file name.

DDN-Data (Rain14000, Fu et al. CVPR 2017) names the rainy versions of clean
image ``<id>.<ext>`` as ``<id>_<k>.<ext>`` (k = 1..14). MMagic's
BasicImageDataset pairs files by equal names, so this tool writes

    OUT/input/<id>_<k>.<ext>    -> RAINY/<id>_<k>.<ext>
    OUT/target/<id>_<k>.<ext>   -> CLEAN/<id>.<ext'>

as relative symbolic links (or copies with ``--copy``); the target keeps the
rainy file's name even if the clean file's extension differs (images are
decoded by content).

Example:
    python tools/dataset_converters/ddn_data.py \
        Rain14000/training/rainy_image Rain14000/training/ground_truth \
        data/DDN-Data/train
"""
import argparse
import os.path as osp
import re
from typing import Dict

from paired_folders import make_pair_folders, place

from cpra_mm.utils.image_io import find_images

RAINY_NAME = re.compile(r'^(?P<id>.+)_(?P<k>\d+)$')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Pair DDN-Data rainy versions with their clean image.')
    parser.add_argument('rainy_dir', help='folder of <id>_<k> rainy images')
    parser.add_argument('clean_dir', help='folder of <id> clean images')
    parser.add_argument('out', help='output folder (gets input/ and target/)')
    parser.add_argument('--copy', action='store_true',
                        help='copy files instead of linking them')
    return parser.parse_args()


def index_images(folder: str) -> Dict[str, str]:
    """Map file stem -> file name for the images directly in ``folder``
    (:func:`~cpra_mm.utils.image_io.find_images`: any image extension,
    hidden files skipped)."""
    return {path.stem: path.name for path in find_images(folder, recursive=False)}


def main() -> None:
    args = parse_args()
    clean = index_images(args.clean_dir)
    rainy = index_images(args.rainy_dir)
    input_dir, target_dir = make_pair_folders(args.out)
    missing = []
    for stem, name in rainy.items():
        match = RAINY_NAME.match(stem)
        if match is None or match['id'] not in clean:
            missing.append(name)
            continue
        place(osp.abspath(osp.join(args.rainy_dir, name)),
              osp.join(input_dir, name), args.copy)
        place(osp.abspath(osp.join(args.clean_dir, clean[match['id']])),
              osp.join(target_dir, name), args.copy)
    print(f'{len(rainy) - len(missing)} pairs written to {args.out}')
    if missing:
        raise SystemExit(f'{len(missing)} rainy images have no clean image '
                         f'(first: {missing[:5]})')


if __name__ == '__main__':
    main()
