"""How faithfully derainers restore the outlines of labelled regions, the
pixels a segmenter's boundaries and a detector's tight boxes depend on.

The test images of a segmentation ``config`` get the rain of its rainy
mode (``AddRain`` with ``--rain-seed``, drawn as
``tools/eval_downstream.py`` draws it) and are derained by each
``--derainer-checkpoint`` (one pass as in the chains; the mirror ensemble
with ``--derain-flip-ensemble``). An outline pixel is one whose 3 x 3 neighbourhood
in the label map holds another label. Over all test images, for the rainy
images and each derainer's output, the table gives:

* ``outline PSNR`` / ``elsewhere PSNR``: 8-bit RGB PSNR against the clean
  images, pooled over the outline pixels and over all other pixels;
* ``sharpness``: the mean Sobel gradient magnitude (grey levels) on the
  outline pixels, as a percentage of the clean images' (below 100: the
  outlines came out softer, above: rain or artefacts added edges).

Writes ``outline_fidelity.{txt,json}`` to ``--out-dir``.

Example (the demo's segmenter config names the demo's images and masks):
    python tools/analysis/outline_fidelity.py configs/demo/shapes_segmenter.py \
        --out-dir outputs/outline_fidelity
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.config import DictAction
from tqdm import tqdm

from cpra_mm.apis import BUILTIN_CHECKPOINT, derain, init_derainer
from cpra_mm.apis.downstream_modes import mode_config, rain_free_test_set
from cpra_mm.apis.downstream_task import detect_task
from cpra_mm.utils.derain_pass_arguments import add_derain_pass_arguments


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(
        description='PSNR and sharpness of derained images on the outlines of labelled regions.')
    parser.add_argument('config', help='MMSegmentation config (its test set has label maps)')
    parser.add_argument('--derainer-checkpoint', nargs='+', default=[str(BUILTIN_CHECKPOINT)],
                        help='derainer weights with preset/layout meta, one or more (default: '
                        'the built-in derainer)')
    add_derain_pass_arguments(parser, default=False, default_help='one pass, as in the chains')
    parser.add_argument('--rain-seed', type=int, default=0,
                        help='seed of the test rain (default 0, as make demo)')
    parser.add_argument('--out-dir', required=True, help='folder for the results')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value pairs')
    args = parser.parse_args(argv)
    for label, path in [('config', args.config)] + [
            ('--derainer-checkpoint', path) for path in args.derainer_checkpoint]:
        if '::' not in path and not osp.isfile(path):
            parser.error(f'{label}: no such file: {path}')
    return args


def outline_mask(labels: np.ndarray) -> np.ndarray:
    """``H x W`` bool: the pixels whose 3 x 3 neighbourhood in the ``H x W``
    integer label map ``labels`` holds more than one label."""
    kernel = np.ones((3, 3), np.uint8)
    labels = labels.astype(np.uint16)
    return cv2.dilate(labels, kernel) != cv2.erode(labels, kernel)


def sobel_magnitude(image: np.ndarray) -> np.ndarray:
    """``H x W`` float64 gradient magnitude (grey levels per pixel) of an
    ``H x W x 3`` uint8 BGR image, 3 x 3 Sobel, reflected borders."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)
    return np.hypot(cv2.Sobel(grey, cv2.CV_64F, 1, 0), cv2.Sobel(grey, cv2.CV_64F, 0, 1))


class OutlineStatistics:
    """Sums over images of one image set: squared errors and pixel-channel
    counts on and off the outlines, and the outline gradient magnitude."""

    def __init__(self) -> None:
        self.squared = np.zeros(2)
        self.count = np.zeros(2)
        self.gradient = 0.0

    def add(self, clean: np.ndarray, image: np.ndarray, outline: np.ndarray) -> None:
        """Add one ``H x W x 3`` uint8 image against its clean copy, with the
        ``H x W`` bool outline mask."""
        squared = (image.astype(np.float64) - clean) ** 2
        for index, pixels in enumerate((outline, ~outline)):
            self.squared[index] += squared[pixels].sum()
            self.count[index] += squared[pixels].size
        self.gradient += sobel_magnitude(image)[outline].sum()

    def summary(self, clean_gradient: float) -> Dict[str, float]:
        """Outline and elsewhere PSNR (dB) and sharpness (% of
        ``clean_gradient``, the clean images' summed outline gradient)."""
        psnr = 10 * np.log10(255.0**2 * self.count / np.maximum(self.squared, 1e-12))
        return {'outline_psnr': float(psnr[0]), 'elsewhere_psnr': float(psnr[1]),
                'sharpness': float(100 * self.gradient / clean_gradient)}


def measure(args: argparse.Namespace) -> Dict[str, Dict[str, float]]:
    """Rain, derain and measure every test image; the summary of each set,
    ``rainy`` first, then each derainer under its file name."""
    cfg = mode_config(args.config, 'rainy', args.rain_seed, cfg_options=args.cfg_options)
    task = detect_task(cfg)
    if task.name != 'seg':
        raise SystemExit(f'{args.config}: a segmentation config is needed (label maps give the '
                         f'outlines), got a {task.name} config')
    dataset, add_rain, _ = rain_free_test_set(cfg)
    derainers = {osp.basename(path): init_derainer(checkpoint=path)
                 for path in args.derainer_checkpoint}
    if len(derainers) != len(args.derainer_checkpoint):
        raise SystemExit('--derainer-checkpoint: two files share a name')
    sets = {name: OutlineStatistics() for name in ['rainy', *derainers]}
    clean_gradient = 0.0
    for index in tqdm(range(len(dataset)), desc='rain, derain, measure', unit='image'):
        loaded = dataset[index]
        clean = loaded['img']
        labels = cv2.imread(loaded['seg_map_path'], cv2.IMREAD_UNCHANGED)
        if labels is None or labels.shape[:2] != clean.shape[:2]:
            raise SystemExit(f'{loaded["seg_map_path"]}: unreadable, or not the size of '
                             f'{loaded["img_path"]}')
        outline = outline_mask(labels if labels.ndim == 2 else labels[..., 0])
        clean_gradient += sobel_magnitude(clean)[outline].sum()
        rainy = add_rain(dict(loaded, img=clean.copy()))['img']
        sets['rainy'].add(clean, rainy, outline)
        for name, derainer in derainers.items():
            derained = derain(derainer, np.ascontiguousarray(rainy[..., ::-1]),
                              flip_ensemble=args.derain_flip_ensemble)[..., ::-1]
            sets[name].add(clean, derained, outline)
    return {name: statistics.summary(clean_gradient) for name, statistics in sets.items()}


def format_table(title: str, results: Dict[str, Dict[str, float]]) -> str:
    """The results as a text table."""
    width = max(len(name) for name in results) + 2
    lines: List[str] = [title, '', f'{"images":<{width}}{"outline PSNR":>13}'
                        f'{"elsewhere PSNR":>16}{"sharpness":>11}', '-' * (width + 40)]
    for name, row in results.items():
        lines.append(f'{name:<{width}}{row["outline_psnr"]:13.2f}{row["elsewhere_psnr"]:16.2f}'
                     f'{row["sharpness"]:10.1f}%')
    lines += ['-' * (width + 40), '(PSNR in dB against the clean images; sharpness: mean Sobel '
              'magnitude on the outlines, % of the clean images\')']
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Measure and write the report."""
    args = parse_args(argv)
    results = measure(args)
    os.makedirs(args.out_dir, exist_ok=True)
    title = (f'{osp.basename(args.config)}, AddRain(seed={args.rain_seed}), '
             f'{"mirror ensemble" if args.derain_flip_ensemble else "one pass"}')
    report = format_table(title, results)
    with open(osp.join(args.out_dir, 'outline_fidelity.txt'), 'w') as file:
        file.write(report + '\n')
    with open(osp.join(args.out_dir, 'outline_fidelity.json'), 'w') as file:
        json.dump(dict(config=args.config, derainer_checkpoints=args.derainer_checkpoint,
                       flip_ensemble=args.derain_flip_ensemble, rain_seed=args.rain_seed,
                       results=results), file, indent=2)
    print(f'\n{report}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
