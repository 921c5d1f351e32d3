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
any order and with any number of workers.

Images (extensions .png .jpg .jpeg .bmp .tif .tiff .webp, any letter case;
hidden files skipped) are read as stored (``mmcv.imread(..., 'unchanged')``;
JPEGs with their EXIF orientation applied) and written in the same format,
bit depth and channel layout: grayscale stays grayscale, an alpha channel is
passed through unchanged, 16-bit PNG/TIFF stay 16-bit.

Each output is written to a hidden partial file beside it
(``.NAME.partial.EXT``) and renamed, so no half-written file is left under
its final name; existing outputs are skipped, so a killed run resumes where
it stopped. A file that cannot be read, rendered or written is reported by
name, the run goes on, and the end summary lists every failure.

Exit status: 0 when every file was written or skipped, 1 when some file
failed, 2 on bad arguments or when the output folder overlaps a source.
The image handling, partial files, failure report and exit codes are those
of ``cpra_mm.utils.image_io``, shared with tools/derain.py.
"""
import argparse
import json
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Optional, Sequence, Tuple

from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for
from cpra_mm.utils.image_io import (IMAGE_EXTENSIONS, FileRun, UsageError, copy_file, find_files,
                                    find_images, is_within, read_image, report_usage_error,
                                    write_image)

CITYSCAPES_IMAGE_SUFFIX = '_leftImg8bit.png'


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
    """Refuse an output that is, contains or lies inside a source.

    Raises:
        UsageError: naming the output and the source.
    """
    for source in sources:
        if is_within(output, source):
            where = 'is' if is_within(source, output) else 'lies inside'
            raise UsageError(f'output folder {output} {where} the source {source}')
        if is_within(source, output):
            raise UsageError(f'source {source} lies inside the output folder {output}')


def plan_folder(source: Path, output: Path) -> Plan:
    """Every image under ``source``, mirrored into ``output``."""
    if not source.is_dir():
        raise UsageError(f'source folder {source} does not exist')
    check_no_overlap(output, [source])
    renders = tuple(
        RenderJob(source / rel, output / rel, rel.as_posix())
        for rel in find_images(source))
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
        for rel in find_files(split_root, (CITYSCAPES_IMAGE_SUFFIX,)):
            rel = Path('leftImg8bit', split, rel)
            renders.append(RenderJob(root / rel, output / rel, rel.as_posix()))
        labels_root = root / 'gtFine' / split
        if labels_root.is_dir():
            copies.extend(
                CopyJob(labels_root / rel, output / labels_root.relative_to(root) / rel)
                for rel in find_files(labels_root))
    return Plan(tuple(renders), tuple(copies))


def render_job(job: RenderJob, renderer: RainStreakRenderer, seed: int) -> None:
    """Render one image into its target.

    Raises:
        ValueError, OSError, cv2.error: the image cannot be read, rendered
        or written.
    """
    image = read_image(job.source)
    write_image(job.target, renderer(image, generator_for(seed, job.identity)))


def copy_job(job: CopyJob) -> None:
    """Copy one file into its target.

    Raises:
        OSError: the file cannot be read or written.
    """
    copy_file(job.source, job.target)


def run_plan(plan: Plan, renderer: RainStreakRenderer, seed: int,
             workers: int) -> int:
    """Carry out ``plan``, skipping existing outputs; report failures by
    source name, print a summary; return the exit code."""
    copies = [job for job in plan.copies if not job.target.exists()]
    renders = [job for job in plan.renders if not job.target.exists()]
    skipped = len(plan.copies) - len(copies) + len(plan.renders) - len(renders)
    run = FileRun('written', len(copies) + len(renders), skipped=skipped)
    run.process(copy_job, copies)
    run.process(partial(render_job, renderer=renderer, seed=seed), renders, workers)
    return run.finish()


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
        return report_usage_error(error)
    return run_plan(plan, RainStreakRenderer(params), args.seed, args.workers)


if __name__ == '__main__':
    sys.exit(main())
