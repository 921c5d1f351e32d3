"""Remove rain from image files with a trained CPRAformer.

Run from the repository root, for example::

    python tools/derain.py photo.jpg --out-dir derained
    python tools/derain.py data/rainy --out-dir data/derained --compare
    python tools/derain.py 'data/**/*.png' --out-dir out \\
        --config configs/cpraformer/cpraformer_paper-reference_1xb12-342800iter_rain13k.py \\
        --checkpoint work_dirs/cpraformer_paper-reference_1xb12-342800iter_rain13k/iter_342800.pth
    torchrun --nproc-per-node 4 tools/derain.py data/rainy --out-dir out \\
        --device cuda
    python tools/derain.py data/rainy --out-dir out --precision bf16 --compile

Inputs: image files, folders (searched recursively for the extensions
.png .jpg .jpeg .bmp .tif .tiff .webp, in any letter case; hidden files are
skipped) and globs (quote them; ``**`` matches any depth). Each output keeps
its path relative to its input (a folder, a file's own folder, or a glob's
fixed leading folders) and its file name and extension, under --out-dir.

Rain slanted 30-50 degrees from vertical, past the built-in derainer's
training angles, is derained on a copy whose rows are shifted so that the
streaks stand upright (streak alignment, ``cpra_mm.models.streak_alignment``;
``--no-align-streaks`` turns it off). ``--flip-ensemble`` makes each run of
the network the mean of its outputs on the image and on its left-right
mirror, in twice the time.

Image handling (read as stored, ``mmcv.imread(..., 'unchanged')``; JPEGs get
their EXIF orientation applied since the outputs carry no metadata):

* 8-bit RGB: derained and written as 8-bit in the same format;
* grayscale: derained as three equal RGB channels and written back as
  grayscale (the mean of the three derained channels);
* RGBA: the RGB channels are derained and the alpha channel is re-attached
  unchanged; written with alpha in the same format (PNG for PNG inputs);
* 16-bit (PNG, TIFF): processed in float32 (exact for 16-bit levels) and
  written back as 16-bit.

Each output is written to a hidden partial file beside it
(``.NAME.partial.EXT``) and renamed, so no half-written file is left under
its final name. The run refuses to start (exit 2) when an output could
overwrite an input file, when --out-dir is, or is inside, an input folder
(or the folder of a recursive glob), or when two inputs would write the same
output. A file that cannot be read, derained or written is reported by name,
the run goes on, and the end summary lists every failure. With
--skip-existing a rerun derains only the files whose outputs are missing.

Several processes: under ``torchrun`` (RANK and WORLD_SIZE set) process RANK
derains every WORLD_SIZE-th file of the sorted file list (no process group
is created); with ``--device cuda`` it uses GPU LOCAL_RANK. Only rank 0 shows
the progress bar.

Fast modes (opt-in): --precision bf16 or fp16 runs the network under
autocast (fp32, with a logged warning, where the device lacks the type) and
--compile compiles it with torch.compile (eager, with a logged warning,
where compilation fails; the first image of each size pays the
compilation). Their output differences to fp32 are in
docs/fast_inference.md.

Exit status: 0 when every file was derained or skipped, 1 when some file
failed, 2 on bad arguments, unsafe output locations or an unloadable model.
The image handling, partial files, failure report and exit codes are those
of ``cpra_mm.utils.image_io``, shared with tools/synthesize_rain.py.
"""
import argparse
import glob
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from cpra_mm.apis import BUILTIN_CHECKPOINT, derain, init_derainer
from cpra_mm.utils.autocast_precision import PRECISIONS
from cpra_mm.utils.image_io import (IMAGE_EXTENSIONS, FileRun, UsageError, find_images,
                                    from_unit_rgb, is_image_file, is_within, preview, read_image,
                                    report_usage_error, to_unit_rgb, write_image)

GLOB_CHARACTERS = frozenset('*?[')
COMPARE_FOLDER = 'compare'


@dataclass(frozen=True)
class Job:
    """Derain ``source`` into ``target``; also write the side-by-side
    ``compare`` image when it is not None."""
    source: Path
    target: Path
    compare: Optional[Path]


@dataclass(frozen=True)
class InputSet:
    """The image files of one command-line input and the folder their
    output paths are relative to; ``guarded`` when --out-dir must not lie
    inside ``root`` (a folder or a recursive glob, which a later run over
    the same input would pick the outputs up from)."""
    files: Tuple[Path, ...]
    root: Path
    guarded: bool


@dataclass(frozen=True)
class Shard:
    """This process's place in a ``torchrun`` launch (0 of 1 otherwise)."""
    rank: int
    world_size: int
    local_rank: int


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('inputs', nargs='+', metavar='INPUT',
                        help='image file, folder (recursive) or quoted glob')
    parser.add_argument('--out-dir', required=True, type=Path,
                        help='folder for the derained images (created if missing)')
    parser.add_argument('--config', default=None,
                        help='MMagic config whose model.generator describes the network '
                        '(default: from the checkpoint\'s meta)')
    parser.add_argument('--checkpoint', default=None,
                        help=f'weights (default: the built-in model {BUILTIN_CHECKPOINT.name})')
    parser.add_argument('--device', default=None,
                        help='torch device, e.g. cpu, cuda, cuda:1 (default: cuda if '
                        'available, else cpu)')
    parser.add_argument('--tile-size', type=int, default=512,
                        help='process images larger than this in overlapping tiles of this '
                        'side; 0 processes them whole (default 512)')
    parser.add_argument('--overlap', type=int, default=32,
                        help='overlap of neighbouring tiles in pixels (default 32)')
    parser.add_argument('--precision', choices=list(PRECISIONS), default='fp32',
                        help='fp32, or bf16 / fp16 autocast (default fp32)')
    parser.add_argument('--compile', action='store_true',
                        help='compile the network with torch.compile')
    parser.add_argument('--no-align-streaks', dest='align_streaks', action='store_false',
                        help='run every image as it is; by default rain slanted 30-50 degrees '
                        'from vertical is derained on a copy sheared so that its streaks '
                        'stand upright')
    parser.add_argument('--flip-ensemble', action='store_true',
                        help='make each run of the network the mean of its outputs on the '
                        'image (or tile) and on its left-right mirror, which takes twice as '
                        'long; by default the network runs once')
    parser.add_argument('--compare', action='store_true',
                        help=f'also write input|output side by side as 8-bit PNG under '
                        f'OUT_DIR/{COMPARE_FOLDER}/ (named after the input, plus .png)')
    parser.add_argument('--skip-existing', action='store_true',
                        help='skip inputs whose outputs (and comparison) already exist')
    return parser


def _glob_root(pattern: str) -> Path:
    """The leading folders of ``pattern`` that hold no glob character."""
    fixed = []
    for part in Path(pattern).parts:
        if GLOB_CHARACTERS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path('.')


def expand_input(text: str) -> InputSet:
    """The image files that one command-line input names.

    Raises:
        UsageError: a missing path, a file that is not an image, or an input
        without images.
    """
    path = Path(text)
    if path.is_dir():
        found = InputSet(tuple(path / name for name in find_images(path)), path, guarded=True)
    elif path.is_file():
        if not is_image_file(path):
            raise UsageError(f'{text}: not an image file (extensions: '
                             f'{" ".join(IMAGE_EXTENSIONS)})')
        found = InputSet((path,), path.parent, guarded=False)
    elif GLOB_CHARACTERS & set(text):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if is_image_file(Path(p)))
        found = InputSet(tuple(files), _glob_root(text), guarded='**' in Path(text).parts)
    else:
        raise UsageError(f'input not found: {text}')
    if not found.files:
        raise UsageError(f'{text}: no image files (extensions: {" ".join(IMAGE_EXTENSIONS)})')
    return found


def compare_path(out_dir: Path, relative: Path) -> Path:
    """Where the side-by-side image of the input at ``relative`` goes
    (``a/b.jpg`` -> ``OUT_DIR/compare/a/b.jpg.png``, unique per input)."""
    return out_dir / COMPARE_FOLDER / relative.with_name(relative.name + '.png')


def plan_jobs(inputs: Sequence[str], out_dir: Path, compare: bool) -> List[Job]:
    """Every file to derain, sorted by source path, with its outputs.

    Raises:
        UsageError: an input problem (see :func:`expand_input`), --out-dir
        inside a folder input, or an output that would overwrite an input
        file or another output.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f'--out-dir {out_dir} exists and is not a folder')
    jobs: Dict[Path, Job] = {}
    for text in inputs:
        found = expand_input(text)
        if found.guarded and is_within(out_dir, found.root):
            raise UsageError(f'--out-dir {out_dir} is, or is inside, the input folder {found.root} '
                             f'({text}); choose a folder outside it')
        for file in found.files:
            relative = file.relative_to(found.root)
            jobs.setdefault(file.resolve(), Job(
                source=file, target=out_dir / relative,
                compare=compare_path(out_dir, relative) if compare else None))
    ordered = [jobs[source] for source in sorted(jobs)]
    written: Dict[Path, Path] = {}
    for job in ordered:
        for output in (job.target, job.compare):
            if output is None:
                continue
            resolved = output.resolve()
            if resolved in jobs:
                raise UsageError(f'{output} would overwrite the input file '
                                 f'{jobs[resolved].source}; choose another --out-dir')
            if resolved in written:
                raise UsageError(f'{written[resolved]} and {job.source} would both be written to '
                                 f'{output}; derain them into separate --out-dir folders')
            written[resolved] = job.source
    return ordered


def current_shard() -> Shard:
    """RANK, WORLD_SIZE and LOCAL_RANK from the environment (``torchrun``).

    Raises:
        UsageError: values that are not integers with 0 <= RANK < WORLD_SIZE.
    """
    try:
        rank = int(os.environ.get('RANK', 0))
        world_size = int(os.environ.get('WORLD_SIZE', 1))
        local_rank = int(os.environ.get('LOCAL_RANK', rank))
    except ValueError as error:
        raise UsageError(f'RANK, WORLD_SIZE and LOCAL_RANK must be integers: {error}') from None
    if not 0 <= rank < world_size:
        raise UsageError(f'need 0 <= RANK < WORLD_SIZE, got RANK={rank}, WORLD_SIZE={world_size}')
    return Shard(rank, world_size, local_rank)


def shard_jobs(jobs: Sequence[Job], shard: Shard) -> List[Job]:
    """Every ``world_size``-th job, starting at ``rank``."""
    return list(jobs[shard.rank::shard.world_size])


def resolve_device(device: Optional[str], shard: Shard) -> str:
    """``device``, defaulting to CUDA when available; a bare ``cuda`` under
    several processes becomes ``cuda:LOCAL_RANK``."""
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if device == 'cuda' and shard.world_size > 1:
        device = f'cuda:{shard.local_rank}'
    return device


def derain_image(model: torch.nn.Module, image: np.ndarray, tile_size: Optional[int],
                 overlap: int, align_streaks: bool = True,
                 flip_ensemble: bool = False) -> np.ndarray:
    """Derain an image as :func:`~cpra_mm.utils.image_io.read_image`
    returns it.

    Args:
        model: the network, ``B x 3 x H x W`` RGB in [0, 1] to the same.
        image: ``H x W`` gray, ``H x W x 3`` BGR or ``H x W x 4`` BGRA,
            uint8 or uint16.
        tile_size: tile side, None for whole images.
        overlap: tile overlap in pixels.
        align_streaks: align steeply slanted rain first
            (:func:`~cpra_mm.apis.derain`).
        flip_ensemble: average the network on the image and on its mirror
            (:func:`~cpra_mm.apis.derain`).

    Returns:
        The derained image with the shape, channel layout and dtype of
        ``image``; the alpha channel of BGRA images is copied unchanged.

    Raises:
        ValueError: another dtype or channel count.
    """
    return from_unit_rgb(derain(model, to_unit_rgb(image), tile_size, overlap, align_streaks,
                                flip_ensemble), like=image)


def run_job(job: Job, model: torch.nn.Module, tile_size: Optional[int], overlap: int,
            align_streaks: bool = True, flip_ensemble: bool = False) -> None:
    """Derain one file and write its outputs.

    Raises:
        ValueError, OSError, RuntimeError, cv2.error: the file cannot be
        read, derained or written.
    """
    image = read_image(job.source)
    restored = derain_image(model, image, tile_size, overlap, align_streaks, flip_ensemble)
    write_image(job.target, restored)
    if job.compare is not None:
        write_image(job.compare, np.hstack([preview(image), preview(restored)]))


def is_done(job: Job) -> bool:
    """Whether every output of ``job`` exists."""
    return job.target.exists() and (job.compare is None or job.compare.exists())


def run_jobs(jobs: Sequence[Job], model: torch.nn.Module, tile_size: Optional[int],
             overlap: int, skip_existing: bool, shard: Shard, align_streaks: bool = True,
             flip_ensemble: bool = False) -> int:
    """Derain ``jobs``, report failures by name, print a summary; return
    the exit code."""
    pending = [job for job in jobs if not (skip_existing and is_done(job))]
    run = FileRun('derained', len(pending), skipped=len(jobs) - len(pending),
                  prefix=f'[rank {shard.rank}] ' if shard.world_size > 1 else '',
                  show_progress=shard.rank == 0)
    run.process(partial(run_job, model=model, tile_size=tile_size, overlap=overlap,
                        align_streaks=align_streaks, flip_ensemble=flip_ensemble), pending)
    return run.finish()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run, return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.tile_size < 0:
            raise UsageError(f'--tile-size must be >= 0, got {args.tile_size}')
        if args.tile_size and not 0 <= args.overlap < args.tile_size:
            raise UsageError(f'--overlap must be in [0, --tile-size={args.tile_size}), '
                             f'got {args.overlap}')
        shard = current_shard()
        jobs = shard_jobs(plan_jobs(args.inputs, args.out_dir, args.compare), shard)
        device = resolve_device(args.device, shard)
        try:
            model = init_derainer(args.config, args.checkpoint, device=device,
                                  precision=args.precision, compile=args.compile)
        except (OSError, ValueError, RuntimeError) as error:
            raise UsageError(f'cannot load the model: {error}') from None
    except UsageError as error:
        return report_usage_error(error)
    return run_jobs(jobs, model, args.tile_size or None, args.overlap, args.skip_existing,
                    shard, args.align_streaks, args.flip_ensemble)


if __name__ == '__main__':
    sys.exit(main())
