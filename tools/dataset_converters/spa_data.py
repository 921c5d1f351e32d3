"""Turn an SPA-Data pair list into input/ and target/ folders.

SPA-Data (SPANet, CVPR 2019) pairs its rainy and clean files through list
files with one ``<rainy path> <clean path>`` pair per line (paths relative
to the dataset root; a leading '/' is ignored). This tool writes, for each
line,

    OUT/input/<name>    -> ROOT/<rainy path>
    OUT/target/<name>   -> ROOT/<clean path>

as relative symbolic links (or copies with ``--copy``), where ``<name>`` is
the rainy path with '/' replaced by '_', so the two folders share names as
MMagic's BasicImageDataset expects.

Example:
    python tools/dataset_converters/spa_data.py \
        SPA-Data/real_world.txt SPA-Data data/SPA-Data/train
"""
import argparse
import os.path as osp
from typing import List, Tuple

from paired_folders import make_pair_folders, place


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build input/ and target/ folders from an SPA-Data list.')
    parser.add_argument('pair_list', help='text file of "<rainy> <clean>" '
                        'lines')
    parser.add_argument('root', help='folder the listed paths start from')
    parser.add_argument('out', help='output folder (gets input/ and target/)')
    parser.add_argument('--copy', action='store_true',
                        help='copy files instead of linking them')
    return parser.parse_args()


def read_pairs(pair_list: str) -> List[Tuple[str, str]]:
    """(rainy, clean) relative paths from a list file; blank lines skipped.

    Raises:
        ValueError: naming the line, when it does not hold two paths.
    """
    pairs = []
    with open(pair_list) as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(f'{pair_list}:{number}: expected two paths, '
                                 f'got {line.strip()!r}')
            pairs.append((fields[0].lstrip('/'), fields[1].lstrip('/')))
    return pairs


def main() -> None:
    args = parse_args()
    input_dir, target_dir = make_pair_folders(args.out)
    pairs = read_pairs(args.pair_list)
    root = osp.abspath(args.root)
    for rainy, clean in pairs:
        name = rainy.replace('/', '_')
        place(osp.join(root, rainy), osp.join(input_dir, name), args.copy)
        place(osp.join(root, clean), osp.join(target_dir, name), args.copy)
    print(f'{len(pairs)} pairs written to {args.out}')


if __name__ == '__main__':
    main()
