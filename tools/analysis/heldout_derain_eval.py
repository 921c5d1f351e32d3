"""Held-out evaluation of a derainer: unseen photographs, unseen rain.

The photographs are the ``test`` split of the photo corpus
(``tools/dataset_converters/prepare_photo_corpus.py``), never used for
training or validation. Each is centre-cropped to ``--size`` pixels. The rain
is drawn from :data:`HELDOUT_RAIN`, whose angle range and blend mode lie
outside those the built-in derainer is trained with (training: angle within
[-30, 30] degrees plus a spread of at most 5, screen or additive blend; here:
35 to 45 degrees from vertical, alternately to the left and to the right,
alpha-over blend); the other parameters lie inside the training ranges. Each
image's rain depends only on ``--seed`` and its file name.

For every photograph it reports PSNR (RGB, in dB, 8-bit images, no border
crop) against the clean photograph of: the rainy input, two classical
filters (median, bilateral), the network alone (one pass), the derainer
with the mirror ensemble (streak alignment on, the mean of the passes on
the image and on its left-right mirror) and the derainer as
:func:`cpra_mm.apis.derain` runs it by default (streak alignment on, one
pass); the gain of each
over the rainy input; and the dry pass-through, PSNR(clean, method(clean)). Results
go to ``OUT_DIR/heldout_eval.json`` and ``.md`` (the tables), and
``OUT_DIR/heldout_best_worst.png`` (rainy | derained | clean of the images
with the best and the worst gain).

Example::

    python tools/analysis/heldout_derain_eval.py --out-dir outputs/heldout
    python tools/analysis/heldout_derain_eval.py --checkpoint CKPT --config CFG
"""
import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

from cpra_mm.apis import derain, init_derainer
from cpra_mm.rain import RainParams, RainStreakRenderer, generator_for

HELDOUT_RAIN = dict(
    density=(10.0, 50.0), length=(15.0, 45.0), width=(1.0, 2.5),
    intensity=(0.3, 0.7), layers=(1, 3), streak_colour=(0.8, 1.0),
    blend='alpha', haze=(0.0, 0.2), atmospheric_light=(0.7, 1.0))
"""Rain of the held-out set, without its angle (see the module docstring)."""

HELDOUT_ANGLE = (35.0, 45.0)
"""Angle magnitude range; even-numbered images slant left, odd right."""

Method = Callable[[np.ndarray], np.ndarray]


def read_split(corpus: Path, split: str) -> List[Path]:
    """The photographs of ``split`` listed in ``corpus/manifest.csv``,
    sorted."""
    manifest = corpus / 'manifest.csv'
    if not manifest.is_file():
        raise FileNotFoundError(
            f'{manifest} not found: build the corpus with '
            'tools/dataset_converters/prepare_photo_corpus.py')
    with manifest.open(newline='') as handle:
        rows = [row for row in csv.DictReader(handle) if row['split'] == split]
    return sorted(corpus / row['file'] for row in rows)


def read_test_split(corpus: Path) -> List[Path]:
    """The ``test`` photographs listed in ``corpus/manifest.csv``."""
    return read_split(corpus, 'test')


def centre_crop(image: np.ndarray, size: int) -> np.ndarray:
    """Centre crop to ``size`` x ``size`` after scaling the shorter side to
    ``size`` when it is smaller (INTER_CUBIC)."""
    height, width = image.shape[:2]
    if min(height, width) < size:
        scale = size / min(height, width)
        image = cv2.resize(image, (max(size, round(width * scale)),
                                   max(size, round(height * scale))),
                           interpolation=cv2.INTER_CUBIC)
        height, width = image.shape[:2]
    top, left = (height - size) // 2, (width - size) // 2
    return image[top:top + size, left:left + size]


def heldout_rain(image: np.ndarray, index: int, name: str, seed: int) -> np.ndarray:
    """Rainy copy of an RGB uint8 image with the held-out rain."""
    low, high = HELDOUT_ANGLE
    angle = (-high, -low) if index % 2 == 0 else (low, high)
    renderer = RainStreakRenderer(RainParams(angle=angle, **HELDOUT_RAIN))
    return renderer(image, generator_for(seed, name))


def psnr(reference: np.ndarray, image: np.ndarray) -> float:
    """PSNR in dB of two uint8 images (capped at 100 for identical ones)."""
    mse = np.mean((reference.astype(np.float64) - image.astype(np.float64)) ** 2)
    return 100.0 if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def build_methods(model: torch.nn.Module) -> Dict[str, Method]:
    """The compared methods, each mapping an RGB uint8 image to another:
    two classical filters, the network alone (one pass, no streak
    alignment), the derainer with the mirror ensemble (streak alignment,
    two passes) and the derainer as :func:`~cpra_mm.apis.derain` runs it by
    default (streak alignment, one pass)."""
    return {
        'median 5x5': lambda image: cv2.medianBlur(image, 5),
        'bilateral': lambda image: cv2.bilateralFilter(image, 7, 40, 5),
        'network alone': lambda image: derain(model, image, tile_size=None,
                                              align_streaks=False, flip_ensemble=False),
        'derainer, mirror ensemble': lambda image: derain(model, image, tile_size=None,
                                                          flip_ensemble=True),
        'derainer': lambda image: derain(model, image, tile_size=None),
    }


def evaluate(photos: Sequence[Path], methods: Dict[str, Method], size: int,
             seed: int) -> List[dict]:
    """Per-image PSNRs of the rainy input, each method and its dry pass."""
    rows = []
    for index, path in enumerate(photos):
        clean = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        clean = centre_crop(clean, size)
        name = path.relative_to(path.parents[1]).as_posix()
        rainy = heldout_rain(clean, index, name, seed)
        row = {'image': name, 'rainy': psnr(clean, rainy)}
        for method, run in methods.items():
            row[method] = psnr(clean, run(rainy))
            row[f'{method} dry'] = psnr(clean, run(clean))
        rows.append(row)
        print(f'[{index + 1}/{len(photos)}] {name}: rainy {row["rainy"]:.2f}, '
              f'derained {row["derainer"]:.2f}, dry {row["derainer dry"]:.2f}',
              flush=True)
    return rows


def summarise(rows: List[dict], methods: Sequence[str]) -> Dict[str, dict]:
    """Mean and worst gain, and mean and worst dry PSNR, per method."""
    summary = {'rainy input': {'mean PSNR': float(np.mean([r['rainy'] for r in rows]))}}
    for method in methods:
        gains = [r[method] - r['rainy'] for r in rows]
        dry = [r[f'{method} dry'] for r in rows]
        summary[method] = {
            'mean PSNR': float(np.mean([r[method] for r in rows])),
            'mean gain': float(np.mean(gains)), 'worst gain': float(np.min(gains)),
            'images worse than rainy': int(sum(g < 0 for g in gains)),
            'dry mean': float(np.mean(dry)), 'dry worst': float(np.min(dry))}
    return summary


def markdown(rows: List[dict], summary: Dict[str, dict], methods: Sequence[str]) -> str:
    """The summary and per-image tables as Markdown."""
    lines = ['| method | mean PSNR | mean gain | worst gain | worse than rainy '
             '| dry mean | dry worst |', '|---|---:|---:|---:|---:|---:|---:|',
             f"| rainy input | {summary['rainy input']['mean PSNR']:.2f} | | | | | |"]
    for method in methods:
        s = summary[method]
        lines.append(f"| {method} | {s['mean PSNR']:.2f} | {s['mean gain']:+.2f} | "
                     f"{s['worst gain']:+.2f} | {s['images worse than rainy']} | "
                     f"{s['dry mean']:.2f} | {s['dry worst']:.2f} |")
    lines += ['', '| image | rainy | ' + ' | '.join(f'{m} (gain)' for m in methods)
              + ' | derainer dry |', '|---|---:|' + '---:|' * (len(methods) + 1)]
    for r in rows:
        cells = ' | '.join(f'{r[m]:.2f} ({r[m] - r["rainy"]:+.2f})' for m in methods)
        lines.append(f"| {r['image']} | {r['rainy']:.2f} | {cells} | {r['derainer dry']:.2f} |")
    return '\n'.join(lines) + '\n'


def best_worst_picture(rows: List[dict], photos: Sequence[Path], model: torch.nn.Module,
                       size: int, seed: int, target: Path) -> None:
    """Write rainy | derained | clean for the best and the worst gain."""
    gains = [r['derainer'] - r['rainy'] for r in rows]
    strips = []
    for index in (int(np.argmax(gains)), int(np.argmin(gains))):
        path = photos[index]
        clean = centre_crop(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB), size)
        rainy = heldout_rain(clean, index, rows[index]['image'], seed)
        strips.append(np.hstack([rainy, derain(model, rainy, tile_size=None), clean]))
    cv2.imwrite(str(target), cv2.cvtColor(np.vstack(strips), cv2.COLOR_RGB2BGR))


def add_heldout_arguments(parser: argparse.ArgumentParser, out_dir: Path) -> None:
    """The arguments every held-out command shares: the corpus, the
    derainer (config, checkpoint), the crop size, the rain seed, a limit on
    the photographs and the output folder (default ``out_dir``)."""
    parser.add_argument('--corpus', type=Path, default=Path('data/photo_corpus'))
    parser.add_argument('--config', default=None, help='MMagic config of the derainer')
    parser.add_argument('--checkpoint', default=None,
                        help='derainer weights (default: the built-in model)')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--seed', type=int, default=7, help='seed of the held-out rain')
    parser.add_argument('--limit', type=int, default=None,
                        help='use only the first N test photographs')
    parser.add_argument('--out-dir', type=Path, default=out_dir)


def heldout_photos(args: argparse.Namespace) -> List[Path]:
    """The test split of ``args.corpus`` (the first ``args.limit``); on a
    missing or empty split, prints an error naming the corpus and returns
    an empty list."""
    try:
        photos = read_test_split(args.corpus)[:args.limit]
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return []
    if not photos:
        print(f'error: no test photographs in {args.corpus}', file=sys.stderr)
    return photos


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_heldout_arguments(parser, Path('outputs/heldout'))
    args = parser.parse_args(argv)
    photos = heldout_photos(args)
    if not photos:
        return 2
    model = init_derainer(args.config, args.checkpoint)
    methods = build_methods(model)
    with torch.no_grad():
        rows = evaluate(photos, methods, args.size, args.seed)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        best_worst_picture(rows, photos, model, args.size, args.seed,
                           args.out_dir / 'heldout_best_worst.png')
    summary = summarise(rows, list(methods))
    report = {'checkpoint': args.checkpoint or 'built-in', 'size': args.size,
              'seed': args.seed, 'images': len(rows), 'summary': summary, 'per_image': rows}
    (args.out_dir / 'heldout_eval.json').write_text(json.dumps(report, indent=2))
    table = markdown(rows, summary, list(methods))
    (args.out_dir / 'heldout_eval.md').write_text(table)
    print(table.split('\n\n')[0])
    return 0


if __name__ == '__main__':
    sys.exit(main())
