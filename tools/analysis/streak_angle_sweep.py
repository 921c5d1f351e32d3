"""How a derainer's gain depends on the slant of the rain, with and without
streak alignment, and what alignment does to dry photographs.

Runs on photo-corpus photographs that are not in the held-out test split
(by default the ``val`` split and every 20th ``train`` photograph, for the
rain; every ``train`` and ``val`` photograph, for the dry check), so the
held-out evaluation (``heldout_derain_eval.py``) stays untouched.

* Rain sweep: for each angle ``A`` of ``--angles``, every photograph
  (centre crop of ``--size``) gets the held-out rain type
  (``HELDOUT_RAIN``: alpha-over blend, 1-3 layers) at ``A - 5`` to
  ``A + 5`` degrees from vertical, to the left on even-numbered photographs
  and to the right on odd ones. Reported per angle: the mean gain (PSNR
  over the rainy input, RGB) of the network alone and of the aligned
  derainer, the share of the rainy photographs that are aligned, the
  median error of the streak angle estimate (over all orientations), and
  the highest line periodicity (along the gate's estimated angle) of the
  rainy photographs.
* Dry check: every photograph without rain; reported: the dry pass-through
  PSNR of ``derain()`` against the photograph (every photograph's, lowest
  first, in the JSON; mean, worst, how many below 32 dB, and the
  ``--dry-worst`` lowest photographs in the Markdown), how many would be
  aligned, and for those the PSNR of the network alone and of the aligned
  derainer. ``--dry-only`` skips the rain sweep.
* Line patterns: dry synthetic pictures of evenly spaced thin bright lines
  (gratings) and of two crossing sets of them (grids) at 35-45 degrees
  either way, on a dark blue ground with slight noise, like the cell
  borders of solar panels; reported for each: its line periodicity,
  whether ``derain()`` aligns it, and its pass-through PSNR with the
  network alone, with ``derain()`` and with alignment forced whatever the
  periodicity (``max_periodicity=1``).

Every network call is one pass, as ``derain()`` runs it by default, unless
``--flip-ensemble`` is given, so the figures isolate streak alignment; with
it each call is the mirror ensemble that ``derain(..., flip_ensemble=True)``
runs (:func:`~cpra_mm.models.flip_ensemble_forward`).

Results go to ``OUT_DIR/streak_angle_sweep.json`` and ``.md``.

Example::

    python tools/analysis/streak_angle_sweep.py --out-dir outputs/angle_sweep
    python tools/analysis/streak_angle_sweep.py --checkpoint CKPT --config CFG
    python tools/analysis/streak_angle_sweep.py --dry-only --out-dir outputs/dry_scan
"""
import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch

from cpra_mm.apis import derain, init_derainer
from cpra_mm.models import estimate_streak_angle, flip_ensemble_forward, streak_aligned_forward
from cpra_mm.models.streak_alignment import (MAX_ANGLE, MAX_PERIODICITY, MIN_ANGLE,
                                             MIN_DOMINANCE, alignment_decisions,
                                             gate_estimate, line_periodicity)
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_derain_eval import HELDOUT_RAIN, centre_crop, psnr, read_split  # noqa: E402

DEFAULT_ANGLES = (0, 10, 20, 30, 35, 40, 45, 50, 60)
PATTERN_ANGLES = (-45, -40, -35, 35, 40, 45)
PATTERN_SPACINGS = (8, 12, 18)


def corpus_photos(corpus: Path, split: str) -> List[Path]:
    """The photographs of ``split`` (``train`` or ``val``; the test split is
    the held-out set and refused), sorted."""
    if split == 'test':
        raise ValueError('the test split is the held-out set: sweep train or val')
    return read_split(corpus, split)


def load(path: Path, size: int) -> np.ndarray:
    """The photograph as a ``size`` x ``size`` RGB uint8 centre crop."""
    return centre_crop(cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR),
                                    cv2.COLOR_BGR2RGB), size)


def would_align(image: np.ndarray) -> tuple:
    """``(estimated angle, dominance, line periodicity, aligned?)`` with the
    default settings of :func:`~cpra_mm.models.streak_aligned_forward` (the
    estimate as its gate makes it,
    :func:`~cpra_mm.models.streak_alignment.gate_estimate`)."""
    batch = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    angle, dominance = gate_estimate(batch)
    periodicity = float(line_periodicity(batch, angle)[0])
    return float(angle[0]), float(dominance[0]), periodicity, alignment_decisions(batch)[1][0]


def line_pattern(angle: float, spacing: int, grid: bool, size: int) -> np.ndarray:
    """A dry ``size`` x ``size`` RGB uint8 picture: bright lines two pixels
    wide every ``spacing`` pixels at ``angle`` degrees from vertical (with
    ``grid``, crossed by a second set at right angles, 1.6 times as far
    apart) on a dark blue ground, with Gaussian noise (sigma 2 levels,
    seeded)."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    theta = np.deg2rad(angle)
    across = cols * np.cos(theta) - rows * np.sin(theta)
    lines = np.abs(across % spacing - spacing / 2) > spacing / 2 - 1
    if grid:
        along = cols * np.sin(theta) + rows * np.cos(theta)
        lines |= np.abs(along % (1.6 * spacing) - 0.8 * spacing) > 0.8 * spacing - 1
    image = np.full((size, size, 3), (40.0, 60.0, 110.0), np.float32)
    image[lines] = (200.0, 200.0, 205.0)
    image += np.random.default_rng(0).normal(0.0, 2.0, image.shape)
    return np.clip(image, 0, 255).round().astype(np.uint8)


def pattern_check(model: torch.nn.Module, size: int, flip_ensemble: bool = False) -> List[dict]:
    """What the network and ``derain()`` do to the dry line patterns."""
    network = partial(flip_ensemble_forward, model) if flip_ensemble else model
    run = partial(derain, model, tile_size=None, flip_ensemble=flip_ensemble)
    results = []
    for grid in (False, True):
        for angle in PATTERN_ANGLES:
            for spacing in PATTERN_SPACINGS:
                image = line_pattern(angle, spacing, grid, size)
                batch = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
                forced = streak_aligned_forward(network, batch, max_periodicity=1.0)
                forced = (forced[0].permute(1, 2, 0) * 255).round().byte().numpy()
                estimate, dominance, periodicity, align = would_align(image)
                alone = psnr(image, run(image, align_streaks=False))
                results.append({
                    'pattern': f"{'grid' if grid else 'grating'} {angle:+d} deg, {spacing} px",
                    'angle': estimate, 'dominance': dominance, 'periodicity': periodicity,
                    'aligned': align, 'network alone': alone,
                    'derain()': psnr(image, run(image))
                    if align else alone,
                    'alignment forced': psnr(image, forced)})
    return results


def rain_sweep(model: torch.nn.Module, photos: Sequence[Path], angles: Sequence[float],
               size: int, seed: int, flip_ensemble: bool = False) -> List[dict]:
    """Mean gains of the network alone and aligned, per angle."""
    run = partial(derain, model, tile_size=None, flip_ensemble=flip_ensemble)
    images = [load(path, size) for path in photos]
    results = []
    for angle in angles:
        alone, aligned, errors, chosen, periodicities = [], [], [], [], []
        for index, (path, clean) in enumerate(zip(photos, images)):
            signed = angle if index % 2 else -angle
            params = RainParams(angle=(signed - 5, signed + 5), **HELDOUT_RAIN)
            rainy = RainStreakRenderer(params)(clean, generator_for(seed, path.name))
            base = psnr(clean, rainy)
            alone.append(psnr(clean, run(rainy, align_streaks=False)) - base)
            aligned.append(psnr(clean, run(rainy)) - base)
            _, _, periodicity, align = would_align(rainy)
            batch = torch.from_numpy(rainy).permute(2, 0, 1)[None].float() / 255
            errors.append(abs(float(estimate_streak_angle(batch)[0][0]) - signed))
            chosen.append(align)
            periodicities.append(periodicity)
        results.append({'angle': angle, 'network alone': float(np.mean(alone)),
                        'aligned': float(np.mean(aligned)),
                        'aligned worst': float(np.min(aligned)),
                        'angle error median': float(np.median(errors)),
                        'aligned share': float(np.mean(chosen)),
                        'line periodicity max': float(np.max(periodicities))})
        print(f'{angle:>4} degrees: network alone {results[-1]["network alone"]:+.2f} dB, '
              f'aligned {results[-1]["aligned"]:+.2f} dB', flush=True)
    return results


def dry_check(model: torch.nn.Module, photos: Sequence[Path], size: int,
              flip_ensemble: bool = False) -> dict:
    """What ``derain()`` does to dry photographs: the pass-through PSNR of
    each (dB, against the photograph; ``passthrough``, lowest first), their
    mean and worst and how many are below 32 dB; and which photographs would
    be aligned, with what that costs them."""
    run = partial(derain, model, tile_size=None, flip_ensemble=flip_ensemble)
    aligned, passthrough = [], []
    for path in photos:
        clean = load(path, size)
        image = path.relative_to(path.parents[1]).as_posix()
        alone = psnr(clean, run(clean, align_streaks=False))
        angle, dominance, periodicity, align = would_align(clean)
        through = psnr(clean, run(clean)) if align else alone
        if align:
            aligned.append({'image': image, 'angle': angle, 'dominance': dominance,
                            'periodicity': periodicity, 'network alone': alone,
                            'aligned': through})
        passthrough.append({'image': image, 'psnr': through})
    values = np.array([row['psnr'] for row in passthrough])
    return {'photographs': len(photos), 'aligned': aligned,
            'mean': float(values.mean()), 'worst': float(values.min()),
            'below 32 dB': int((values < 32).sum()),
            'passthrough': sorted(passthrough, key=lambda row: row['psnr'])}


def markdown(sweep: List[dict], dry: dict, dry_worst: int, patterns: List[dict]) -> str:
    """The tables as Markdown (no sweep table when ``sweep`` is empty; the
    ``dry_worst`` lowest dry photographs)."""
    lines = []
    if sweep:
        lines += ['| angle (degrees from vertical, +-5) | network alone | aligned '
                  '| aligned worst | aligned share | angle estimate error (median) '
                  '| line periodicity (highest) |',
                  '|---:|---:|---:|---:|---:|---:|---:|']
    for row in sweep:
        lines.append(f"| {row['angle']:g} | {row['network alone']:+.2f} | "
                     f"{row['aligned']:+.2f} | {row['aligned worst']:+.2f} | "
                     f"{row['aligned share']:.2f} | {row['angle error median']:.1f} | "
                     f"{row['line periodicity max']:.2f} |")
    lines += ['', f"Dry pass-through of `derain()` on {dry['photographs']} photographs: "
              f"mean {dry['mean']:.2f} dB, worst {dry['worst']:.2f} dB, "
              f"{dry['below 32 dB']} below 32 dB. Lowest:", '',
              '| dry photograph | PSNR (dB) |', '|---|---:|']
    lines += [f"| {row['image']} | {row['psnr']:.2f} |" for row in dry['passthrough'][:dry_worst]]
    lines += ['', f"Dry photographs: {len(dry['aligned'])} of {dry['photographs']} "
              'would be aligned.', '',
              '| dry photograph | estimated angle | dominance | line periodicity '
              '| network alone (dB) | aligned (dB) |', '|---|---:|---:|---:|---:|---:|']
    for row in dry['aligned']:
        lines.append(f"| {row['image']} | {row['angle']:.1f} | {row['dominance']:.2f} | "
                     f"{row['periodicity']:.2f} | {row['network alone']:.2f} | "
                     f"{row['aligned']:.2f} |")
    if patterns:
        aligned = sum(row['aligned'] for row in patterns)
        lines += ['', f'Dry line patterns: {aligned} of {len(patterns)} aligned.', '',
                  '| pattern | estimated angle | dominance | line periodicity | aligned '
                  '| network alone (dB) | derain() (dB) | alignment forced (dB) |',
                  '|---|---:|---:|---:|:---:|---:|---:|---:|']
        lines += [f"| {row['pattern']} | {row['angle']:.1f} | {row['dominance']:.2f} | "
                  f"{row['periodicity']:.2f} | {'yes' if row['aligned'] else 'no'} | "
                  f"{row['network alone']:.2f} | {row['derain()']:.2f} | "
                  f"{row['alignment forced']:.2f} |" for row in patterns]
    return '\n'.join(lines) + '\n'


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--corpus', type=Path, default=Path('data/photo_corpus'))
    parser.add_argument('--config', default=None, help='MMagic config of the derainer')
    parser.add_argument('--checkpoint', default=None,
                        help='derainer weights (default: the built-in model)')
    parser.add_argument('--angles', type=float, nargs='+', default=list(DEFAULT_ANGLES))
    parser.add_argument('--train-stride', type=int, default=20,
                        help='rain sweep: every N-th train photograph besides val')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--seed', type=int, default=0, help='seed of the rain')
    parser.add_argument('--dry-only', action='store_true', help='skip the rain sweep')
    parser.add_argument('--dry-worst', type=int, default=10,
                        help='dry check: how many of the lowest photographs the Markdown '
                        'table lists (the JSON has all)')
    parser.add_argument('--flip-ensemble', action='store_true',
                        help='run every network call as the mirror ensemble '
                        '(derain(flip_ensemble=True); twice the time); without it, one pass')
    parser.add_argument('--out-dir', type=Path, default=Path('outputs/streak_angle_sweep'))
    args = parser.parse_args(argv)
    try:
        val = corpus_photos(args.corpus, 'val')
        train = corpus_photos(args.corpus, 'train')
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if not val and not train:
        print(f'error: no train or val photographs in {args.corpus}', file=sys.stderr)
        return 2
    model = init_derainer(args.config, args.checkpoint)
    with torch.no_grad():
        sweep = [] if args.dry_only else rain_sweep(
            model, val + train[::args.train_stride], args.angles, args.size, args.seed,
            args.flip_ensemble)
        dry = dry_check(model, train + val, args.size, args.flip_ensemble)
        patterns = pattern_check(model, args.size, args.flip_ensemble)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    report = {'checkpoint': args.checkpoint or 'built-in', 'size': args.size,
              'seed': args.seed, 'flip_ensemble': args.flip_ensemble, 'settings': {'min_angle': MIN_ANGLE, 'max_angle': MAX_ANGLE,
                                              'min_dominance': MIN_DOMINANCE,
                                              'max_periodicity': MAX_PERIODICITY},
              'sweep': sweep, 'dry': dry, 'patterns': patterns}
    (args.out_dir / 'streak_angle_sweep.json').write_text(json.dumps(report, indent=2))
    table = markdown(sweep, dry, args.dry_worst, patterns)
    (args.out_dir / 'streak_angle_sweep.md').write_text(table)
    print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
