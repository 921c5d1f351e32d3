"""Pre-render a rainy copy of an image folder, a COCO-style dataset or a
Cityscapes-style dataset.

Run from the repository root, for example::

    python tools/synthesize_rain.py folder data/clean data/rainy --seed 0
    python tools/synthesize_rain.py coco \\
        --ann-file data/coco/annotations/instances_val2017.json \\
        --img-dir data/coco/val2017 data/coco_rain
    python tools/synthesize_rain.py cityscapes data/cityscapes \\
        data/cityscapes_rain --density 20,40 --haze 0.1,0.3

Each image gets rain that depends only on ``--seed``, the rain parameters and
the image's path relative to its source folder, so runs are reproducible in
any order and with any number of workers. Outputs are written to a temporary
name beside their destination and renamed atomically; existing outputs are
skipped, so a killed run resumes where it stopped.

Exit status: 0 when every file was rendered or skipped, 1 when some input
could not be read or written (each is reported by name), 2 on bad arguments
or when the output folder overlaps a source.
"""
import argparse
import json
import multiprocessing
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import (Callable, Iterable, Iterator, List, Optional, Sequence,
                    Tuple)

import cv2
from tqdm import tqdm

from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')
CITYSCAPES_IMAGE_SUFFIX = '_leftImg8bit.png'
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or the source layout (exit code 2)."""


@dataclass(frozen=True)
class RenderJob:
    """Render ``source`` into ``target``; ``identity`` keys its rain."""
    source: Path
    target: Path
    identity: str


@dataclass(frozen=True)
class CopyJob:
    """Copy ``source`` byte for byte into ``target``."""
    source: Path
    target: Path


@dataclass(frozen=True)
class Plan:
    """Everything one run writes."""
    renders: Tuple[RenderJob, ...]
    copies: Tuple[CopyJob, ...]


def _range_parser(number: type, name: str) -> Callable[[str], object]:
    """An argparse ``type`` turning ``'30'`` into 30 and ``'20,40'`` into
    (20, 40), with ``number`` converting each part."""

    def parse(text: str):
        try:
            values = tuple(number(part) for part in text.split(','))
        except ValueError:
            values = ()
        if len(values) not in (1, 2):
            raise argparse.ArgumentTypeError(
                f'expected {name} or low,high, got {text!r}')
        return values[0] if len(values) == 1 else values

    return parse


parse_range = _range_parser(float, 'a number')
parse_int_range = _range_parser(int, 'an integer')


def _rain_options() -> argparse.ArgumentParser:
    """Options shared by every mode."""
    defaults = RainParams()

    def shown(pair: Tuple[float, float]) -> str:
        low, high = pair
        return f'{low:g}' if low == high else f'{low:g},{high:g}'

    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group(
        'rain', 'a number, or low,high sampled per image (per layer for the '
        'streak options); write negative values with "=": --angle=-20,20')
    group.add_argument('--density', type=parse_range,
                       default=RainParams.density,
                       help='streaks per 100x100 pixels (default '
                       f'{shown(defaults.density)})')
    group.add_argument('--length', type=parse_range, default=RainParams.length,
                       help=f'streak length in pixels (default {shown(defaults.length)})')
    group.add_argument('--angle', type=parse_range, default=RainParams.angle,
                       help='degrees from vertical, positive slants right, one '
                       f'per image (default {shown(defaults.angle)})')
    group.add_argument('--width', type=parse_range, default=RainParams.width,
                       help=f'streak width in pixels (default {shown(defaults.width)})')
    group.add_argument('--intensity', type=parse_range,
                       default=RainParams.intensity,
                       help='streak opacity in [0, 1] (default '
                       f'{shown(defaults.intensity)})')
    group.add_argument('--layers', type=parse_int_range,
                       default=RainParams.layers,
                       help=f'number of streak layers (default {shown(defaults.layers)})')
    group.add_argument('--haze', type=parse_range, default=RainParams.haze,
                       help='haze veil strength in [0, 1], 0 = none (default '
                       f'{shown(defaults.haze)})')
    group.add_argument('--atmospheric-light', type=parse_range,
                       default=RainParams.atmospheric_light,
                       help='haze veil brightness in [0, 1] (default '
                       f'{shown(defaults.atmospheric_light)})')
    run = options.add_argument_group('run')
    run.add_argument('--seed', type=int, default=0,
                     help='integer >= 0; same seed, same rain (default 0)')
    run.add_argument('--workers', type=int, default=1,
                     help='processes rendering in parallel (default 1)')
    return options


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest='mode', required=True, metavar='MODE')
    shared = [_rain_options()]

    folder = modes.add_parser(
        'folder', parents=shared,
        help='every image under a folder, recursively',
        description='Render every image (' + ' '.join(IMAGE_EXTENSIONS) +
        ') under SOURCE into OUTPUT with the same relative path, extension '
        'and bit depth. Other files are ignored.')
    folder.add_argument('source', type=Path, metavar='SOURCE',
                        help='folder of clean images')
    folder.add_argument('output', type=Path, metavar='OUTPUT',
                        help='folder for the rainy copies; must not overlap SOURCE')

    coco = modes.add_parser(
        'coco', parents=shared, help='the images a COCO annotation file lists',
        description='Render the images listed in --ann-file (their file_name '
        'relative to --img-dir) into OUTPUT/<name of img-dir>/ and copy the '
        'annotation file unchanged to OUTPUT/annotations/, the usual COCO '
        'layout with OUTPUT as data root.')
    coco.add_argument('--ann-file', type=Path, required=True,
                      help='COCO-style annotation JSON')
    coco.add_argument('--img-dir', type=Path, required=True,
                      help='folder the file_name entries are relative to')
    coco.add_argument('output', type=Path, metavar='OUTPUT',
                      help='root for the rainy dataset; must not overlap the sources')

    cityscapes = modes.add_parser(
        'cityscapes', parents=shared, help='a Cityscapes-style dataset root',
        description='Render ROOT/leftImg8bit/<split>/<city>/*' +
        CITYSCAPES_IMAGE_SUFFIX + ' into OUTPUT with the same names and copy '
        'ROOT/gtFine/<split>/ unchanged.')
    cityscapes.add_argument('source', type=Path, metavar='ROOT',
                            help='dataset root holding leftImg8bit/ and gtFine/')
    cityscapes.add_argument('output', type=Path, metavar='OUTPUT',
                            help='root for the rainy dataset; must not overlap ROOT')
    cityscapes.add_argument(
        '--splits', nargs='+', metavar='SPLIT',
        help='splits to convert (default: every folder in leftImg8bit/)')
    return parser


def check_no_overlap(output: Path, sources: Iterable[Path]) -> None:
    """Refuse an output that is, contains or lies inside a source."""
    out = output.resolve()
    for source in sources:
        src = source.resolve()
        if out == src:
            raise UsageError(f'output folder {output} is the source {source}')
        if src in out.parents:
            raise UsageError(f'output folder {output} lies inside the source {source}')
        if out in src.parents:
            raise UsageError(f'source {source} lies inside the output folder {output}')


def _relative_images(root: Path, pattern: str = '*') -> List[Path]:
    return sorted(
        path.relative_to(root) for path in root.rglob(pattern)
        if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS)


def plan_folder(source: Path, output: Path) -> Plan:
    """Every image under ``source``, mirrored into ``output``."""
    if not source.is_dir():
        raise UsageError(f'source folder {source} does not exist')
    check_no_overlap(output, [source])
    renders = tuple(
        RenderJob(source / rel, output / rel, rel.as_posix())
        for rel in _relative_images(source))
    return Plan(renders, ())


def plan_coco(ann_file: Path, img_dir: Path, output: Path) -> Plan:
    """The images ``ann_file`` lists, plus a copy of ``ann_file``."""
    if not img_dir.is_dir():
        raise UsageError(f'--img-dir {img_dir} does not exist')
    try:
        with open(ann_file, encoding='utf-8') as f:
            images = json.load(f)['images']
        file_names = sorted({image['file_name'] for image in images})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(
            f'--ann-file {ann_file} is not a readable COCO annotation file: '
            f'{error!r}') from None
    check_no_overlap(output, [img_dir, ann_file])
    img_out = output / img_dir.resolve().name
    renders = []
    for name in file_names:
        rel = PurePosixPath(name)
        if rel.is_absolute() or '..' in rel.parts:
            raise UsageError(
                f'--ann-file {ann_file} lists {name!r}, outside --img-dir')
        renders.append(RenderJob(img_dir / rel, img_out / rel, rel.as_posix()))
    copy = CopyJob(ann_file, output / 'annotations' / ann_file.name)
    return Plan(tuple(renders), (copy, ))


def plan_cityscapes(root: Path, output: Path,
                    splits: Optional[Sequence[str]]) -> Plan:
    """``leftImg8bit`` images rendered, ``gtFine`` copied, per split."""
    images_root = root / 'leftImg8bit'
    if not images_root.is_dir():
        raise UsageError(f'{root} has no leftImg8bit/ folder')
    check_no_overlap(output, [root])
    if splits is None:
        splits = sorted(p.name for p in images_root.iterdir() if p.is_dir())
    renders, copies = [], []
    for split in splits:
        split_root = images_root / split
        if not split_root.is_dir():
            raise UsageError(f'split {split!r} not found in {images_root}')
        for rel in _relative_images(split_root, '*' + CITYSCAPES_IMAGE_SUFFIX):
            rel = Path('leftImg8bit', split, rel)
            renders.append(RenderJob(root / rel, output / rel, rel.as_posix()))
        labels_root = root / 'gtFine' / split
        if labels_root.is_dir():
            copies.extend(
                CopyJob(path, output / path.relative_to(root))
                for path in sorted(labels_root.rglob('*')) if path.is_file())
    return Plan(tuple(renders), tuple(copies))


def partial_path(target: Path) -> Path:
    """Temporary name beside ``target``, ending in the same extension so
    OpenCV picks the same encoder."""
    return target.with_name(f'.{target.name}.partial{target.suffix}')


def _read_flags(path: Path) -> int:
    # JPEGs have no alpha: read them with EXIF orientation applied, as the
    # frameworks' loaders do, since the output carries no EXIF.
    if path.suffix.lower() in ('.jpg', '.jpeg'):
        return cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH
    return cv2.IMREAD_UNCHANGED


def render_job(job: RenderJob, renderer: RainStreakRenderer,
               seed: int) -> Optional[str]:
    """Render one image; return None on success, else why it failed."""
    image = cv2.imread(str(job.source), _read_flags(job.source))
    if image is None:
        return 'not a readable image'
    try:
        rainy = renderer(image, generator_for(seed, job.identity))
    except ValueError as error:
        return str(error)
    temporary = partial_path(job.target)
    try:
        job.target.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(temporary), rainy):
            raise OSError('the encoder refused the image')
        os.replace(temporary, job.target)
    except (OSError, cv2.error) as error:
        temporary.unlink(missing_ok=True)
        return f'could not write {job.target}: {error}'
    return None


def copy_job(job: CopyJob) -> Optional[str]:
    """Copy one file; return None on success, else why it failed."""
    temporary = partial_path(job.target)
    try:
        job.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(job.source, temporary)
        os.replace(temporary, job.target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        return str(error)
    return None


@contextmanager
def _mapped(function: Callable, jobs: Sequence, workers: int) -> Iterator:
    """``function`` over ``jobs`` in order, in ``workers`` processes."""
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context('fork').Pool(workers) as pool:
            yield pool.imap(function, jobs)
    else:
        yield map(function, jobs)


def run_plan(plan: Plan, renderer: RainStreakRenderer, seed: int,
             workers: int) -> int:
    """Carry out ``plan``, skipping existing outputs; return the exit code.

    Failures are reported on stderr by source name as they happen.
    """
    copies = [job for job in plan.copies if not job.target.exists()]
    renders = [job for job in plan.renders if not job.target.exists()]
    skipped = len(plan.copies) - len(copies) + len(plan.renders) - len(renders)
    failed = 0
    for job in copies:
        error = copy_job(job)
        if error is not None:
            failed += 1
            print(f'failed: {job.source}: {error}', file=sys.stderr)
    render = partial(render_job, renderer=renderer, seed=seed)
    with tqdm(total=len(renders), unit='img', desc='rain',
              file=sys.stderr) as progress, _mapped(render, renders,
                                                    workers) as errors:
        for job, error in zip(renders, errors):
            if error is not None:
                failed += 1
                progress.write(f'failed: {job.source}: {error}', file=sys.stderr)
            progress.update()
    print(f'done: {len(renders) + len(copies) - failed} written, '
          f'{skipped} skipped (already there), {failed} failed',
          file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run, return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.seed < 0:
            raise UsageError(f'--seed must be >= 0, got {args.seed}')
        if args.workers < 1:
            raise UsageError(f'--workers must be >= 1, got {args.workers}')
        try:
            params = RainParams(
                density=args.density, length=args.length, angle=args.angle,
                width=args.width, intensity=args.intensity, layers=args.layers,
                haze=args.haze, atmospheric_light=args.atmospheric_light)
        except ValueError as error:
            raise UsageError(f'invalid rain option: {error}') from None
        if args.mode == 'folder':
            plan = plan_folder(args.source, args.output)
        elif args.mode == 'coco':
            plan = plan_coco(args.ann_file, args.img_dir, args.output)
        else:
            plan = plan_cityscapes(args.source, args.output, args.splits)
    except UsageError as error:
        print(f'error: {error}', file=sys.stderr)
        return EXIT_USAGE
    return run_plan(plan, RainStreakRenderer(params), args.seed, args.workers)


if __name__ == '__main__':
    sys.exit(main())
