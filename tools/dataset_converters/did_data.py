"""Split DID-Data's side-by-side pair images into input/ and target/ folders.

DID-Data (DID-MDN, CVPR 2018) stores each training and test pair as one
image, the rainy half beside the clean half. This tool finds every image
under SRC (recursively, e.g. the Rain_Light / Rain_Medium / Rain_Heavy
subfolders), cuts it at the middle column and writes lossless PNGs

    OUT/input/<flat name>.png    the rainy half
    OUT/target/<flat name>.png   the clean half

where <flat name> is the path below SRC with '/' replaced by '_' (so
equal file names in different density folders do not collide). Images are
found, read (as stored: bit depth and channels kept) and written (atomically)
as in the other tools (``cpra_mm.utils.image_io``): a file that cannot be
read or split is named and skipped, and the exit status is 1 when any was,
2 when SRC is missing or OUT lies inside it.

Example:
    python tools/dataset_converters/did_data.py \
        DID-MDN-datasets/DID-MDN-training data/DID-Data/train
"""
import argparse
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np
from paired_folders import make_pair_folders

from cpra_mm.utils.image_io import (FileRun, UsageError, find_images, is_within, read_image,
                                    report_usage_error, write_image)


@dataclass(frozen=True)
class SplitJob:
    """Split ``source`` into two halves named ``name``."""
    source: Path
    name: str


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Split DID-Data side-by-side images into pairs.')
    parser.add_argument('src', type=Path, help='folder of side-by-side images')
    parser.add_argument('out', type=Path, help='output folder (gets input/ and target/)')
    parser.add_argument('--rainy-side', choices=['left', 'right'],
                        default='left',
                        help='half that holds the rainy image (default left)')
    return parser.parse_args(argv)


def split_halves(image: np.ndarray, rainy_side: str) -> Tuple[np.ndarray, np.ndarray]:
    """Cut an ``H x 2W (x C)`` image into (rainy, clean) ``H x W (x C)``
    halves.

    Raises:
        ValueError: if the width is odd.
    """
    width = image.shape[1]
    if width % 2:
        raise ValueError(f'expected an even width (two halves), got {width}')
    left, right = image[:, :width // 2], image[:, width // 2:]
    return (left, right) if rainy_side == 'left' else (right, left)


def split_job(job: SplitJob, input_dir: Path, target_dir: Path, rainy_side: str) -> None:
    """Write the rainy half of ``job.source`` to ``input_dir`` and the clean
    half to ``target_dir``, both as PNG named ``job.name``.

    Raises:
        ValueError, OSError: the image cannot be read, split or written.
    """
    rainy, clean = split_halves(read_image(job.source), rainy_side)
    write_image(input_dir / job.name, rainy)
    write_image(target_dir / job.name, clean)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Split every image under SRC; return the exit code."""
    args = parse_args(argv)
    if not args.src.is_dir():
        return report_usage_error(UsageError(f'{args.src} is not a folder'))
    if is_within(args.out, args.src):
        return report_usage_error(UsageError(
            f'output folder {args.out} is, or lies inside, the source {args.src}'))
    jobs = [SplitJob(args.src / rel, '_'.join(rel.with_suffix('.png').parts))
            for rel in find_images(args.src)]
    input_dir, target_dir = make_pair_folders(str(args.out))
    run = FileRun('split', len(jobs))
    run.process(partial(split_job, input_dir=Path(input_dir), target_dir=Path(target_dir),
                        rainy_side=args.rainy_side), jobs)
    return run.finish()


if __name__ == '__main__':
    sys.exit(main())
