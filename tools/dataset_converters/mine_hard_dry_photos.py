"""Write an annotation file that repeats the training photographs a model
alters most when they are dry, for hard-example mining in the next stage.

Reads the JSON report of a dry scan
(``tools/analysis/streak_angle_sweep.py --dry-only``), whose
``dry.passthrough`` lists every photograph (relative to the corpus's
``images/``) with ``derain()``'s dry pass-through PSNR. Keeps those listed in the training
annotation file (validation photographs are never mined) whose PSNR is below
``--below`` dB and writes each ``ceil((below - psnr) / step)`` times, one
per line, in the format of ``meta/train.txt``: with the defaults
(``--below 50 --step 2``) a photograph the model alters to 25 dB is drawn
thirteen times as often as one at 48 dB.

Example (the stage-five config, ``..._stage5-hard-dry.py``)::

    python tools/analysis/streak_angle_sweep.py --dry-only \\
        --checkpoint cpra_mm/weights/<stage four>.pth --out-dir outputs/dry_scan_stage4_all
    python tools/dataset_converters/mine_hard_dry_photos.py \\
        outputs/dry_scan_stage4_all/streak_angle_sweep.json \\
        --train-list data/photo_corpus/meta/train.txt \\
        --out data/photo_corpus/meta/train_hard_dry.txt
"""
import argparse
import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence


def read_scan(path: Path) -> Dict[str, float]:
    """Dry pass-through PSNR (dB) per photograph from a dry-scan report.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a dry-scan report (no ``dry.passthrough``).
    """
    if not path.is_file():
        raise FileNotFoundError(f'dry-scan report {path} not found')
    try:
        rows = json.loads(path.read_text())['dry']['passthrough']
        return {row['image']: float(row['psnr']) for row in rows}
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f'{path} is not a dry-scan report of tools/analysis/'
                         f'streak_angle_sweep.py (no dry.passthrough with image and psnr: {err})')


def mine(psnr: Dict[str, float], train: Sequence[str], below: float,
         step: float) -> List[str]:
    """Annotation lines: each training photograph with PSNR below ``below``
    repeated ``ceil((below - psnr) / step)`` times, hardest first."""
    if step <= 0:
        raise ValueError(f'--step must be positive, got {step}')
    allowed = set(train)
    hard = sorted((value, image) for image, value in psnr.items()
                  if image in allowed and value < below)
    return [image for value, image in hard for _ in range(math.ceil((below - value) / step))]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('scan', type=Path, help='streak_angle_sweep.json of a --dry-only scan')
    parser.add_argument('--train-list', type=Path, required=True,
                        help='the training annotation file (meta/train.txt)')
    parser.add_argument('--out', type=Path, required=True, help='annotation file to write')
    parser.add_argument('--below', type=float, default=50.0,
                        help='mine photographs whose pass-through is below this (dB)')
    parser.add_argument('--step', type=float, default=2.0,
                        help='one more repeat per this many dB below --below')
    args = parser.parse_args(argv)
    if not args.train_list.is_file():
        parser.error(f'--train-list {args.train_list} not found')
    if args.out.resolve() in (args.train_list.resolve(), args.scan.resolve()):
        parser.error(f'--out {args.out} would overwrite an input')
    try:
        psnr = read_scan(args.scan)
        lines = mine(psnr, args.train_list.read_text().split(), args.below, args.step)
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    if not lines:
        parser.error(f'no training photograph of {args.scan} is below {args.below} dB')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text('\n'.join(lines) + '\n')
    print(f'{len(set(lines))} photographs below {args.below:g} dB, {len(lines)} lines '
          f'-> {args.out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
