"""Where a derainer loses what it does not recover for a detector or
segmenter: on the pixels the rain covered, or on the dry ones.

The test images of ``config`` get the rain of its rainy mode (``AddRain``
with ``--rain-seed``, drawn as ``tools/eval_downstream.py`` draws it) and
are derained by the derainer (one pass, as in the chains; its mirror
ensemble with ``--derain-flip-ensemble``). Four copies of the test set are written
under ``<out-dir>/images/`` and tested with the config's own evaluator,
beside the clean images:

* ``rainy``;
* ``derained``;
* ``derained_on_rain``: the derained image where the rain moved some
  channel by more than ``--threshold`` levels, the clean image elsewhere;
* ``derained_off_rain``: the other way round.

What ``derained_on_rain`` still loses against clean is lost on the
rain-covered pixels (rain left in place, or the scene taken with it); what
``derained_off_rain`` loses is lost on the dry ones (texture smoothed,
colours shifted). With ``--references`` the clean images are also tested
degraded in known ways, without a derainer, to put the derainer's share in
scale (:mod:`cpra_mm.apis.reference_degradations`): ``rain-left:0.3``, 30 %
of every streak left and the scene under it kept; ``blur:0.5``, a Gaussian
blur of 0.5 px; ``jpeg:90``; ``noise:2``. The table gives each set's
metrics and the share of the clean-rainy gap it recovers. A second table
shows how much of a streak is left: over the pixel channels the rain brightened by 10-25, 25-50, 50-100
and 100-255 levels, the mean rain, the mean residue (derained - clean) and
their ratio.

Images are written losslessly (PNG data, under the test files' own names),
so the tested images are exactly the analysed ones; ``derained`` here is
that 8-bit image, which can score a little differently from
``eval_downstream.py``'s derained mode (float images, inside the data
preprocessor): on the demo's development images 91.58 against 91.65 mIoU
for stage twenty-one's control, 0.766 against 0.765 mAP.

Writes ``gap_attribution.{txt,json}`` to ``--out-dir``; Runner logs under
``<out-dir>/<set>/``.

Example (the demo detector, on development images of the demo's kind):
    python tools/make_demo_data.py --out data/demo_shapes_seed7 --seed 7 \
        --num-train 1 --num-val 192
    python tools/analysis/downstream_gap_attribution.py \
        configs/demo/shapes_detector.py cpra_mm/weights/shapes_detector.pth \
        --out-dir outputs/gap_attribution_det --cfg-options \
        test_dataloader.dataset.data_root=data/demo_shapes_seed7/ \
        test_evaluator.ann_file=data/demo_shapes_seed7/annotations/instances_val.json

    # the demo segmenter on make demo's draw, beside four references
    python tools/analysis/downstream_gap_attribution.py \
        configs/demo/shapes_segmenter.py cpra_mm/weights/shapes_segmenter.pth \
        --out-dir outputs/gap_attribution_seg_references \
        --references rain-left:0.1 rain-left:0.3 blur:0.5 jpeg:90
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import json
import os.path as osp
import sys
from typing import Any, Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.config import Config, DictAction
from tqdm import tqdm

from cpra_mm.apis import BUILTIN_CHECKPOINT, derain, init_derainer
from cpra_mm.apis.downstream_evaluation import evaluate_mode
from cpra_mm.apis.downstream_modes import mode_config, rain_free_test_set
from cpra_mm.apis.downstream_report import GAP_TOLERANCE, table_metrics
from cpra_mm.apis.downstream_task import detect_task
from cpra_mm.apis.rain_pixel_split import (RESIDUE_BINS, split_by_rain, streak_residue,
                                           summarise_residue)
from cpra_mm.apis.reference_degradations import ReferenceDegradation, parse_reference
from cpra_mm.utils.derain_pass_arguments import add_derain_pass_arguments
from cpra_mm.utils.image_io import atomic_output

SETS = ('rainy', 'derained', 'derained_on_rain', 'derained_off_rain')
"""The written image sets, in table order (after ``clean``)."""
REFERENCES_HEADING = 'references, clean images degraded (no derainer):'
"""The table's line above the ``--references`` sets."""


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(
        description='Split what a derainer leaves unrecovered downstream between the '
        'rain-covered and the dry pixels.')
    parser.add_argument('config', help='MMDetection or MMSegmentation config')
    parser.add_argument('checkpoint', help='trained weights of that model')
    parser.add_argument('--derainer-checkpoint', default=str(BUILTIN_CHECKPOINT),
                        help='derainer weights with preset/layout meta (default: the '
                        'built-in derainer)')
    add_derain_pass_arguments(parser, default=False, default_help='one pass, as in the chains')
    parser.add_argument('--rain-seed', type=int, default=0,
                        help='seed of the test rain (default 0, as make demo)')
    parser.add_argument('--threshold', type=float, default=10.0,
                        help='a pixel is rain-covered when the rain moved some channel by '
                        'more than this many 8-bit levels (default 10)')
    parser.add_argument('--references', nargs='+', default=[], metavar='KIND:VALUE',
                        help='also test the clean images degraded without a derainer: '
                        'rain-left:F (a share F of the rain left), blur:SIGMA (pixels), '
                        'jpeg:QUALITY, noise:SIGMA (8-bit levels); e.g. rain-left:0.3 blur:0.5')
    parser.add_argument('--out-dir', required=True, help='folder for images, results, logs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value pairs')
    args = parser.parse_args(argv)
    for label, path in (('config', args.config), ('checkpoint', args.checkpoint),
                        ('--derainer-checkpoint', args.derainer_checkpoint)):
        if '::' not in path and not osp.isfile(path):
            parser.error(f'{label}: no such file: {path}')
    if not 0 <= args.threshold < 255:
        parser.error(f'--threshold must be in [0, 255), got {args.threshold}')
    try:
        args.references = [parse_reference(spec) for spec in args.references]
    except ValueError as error:
        parser.error(f'--references: {error}')
    names = [reference.name for reference in args.references]
    if len(set(names)) != len(names):
        parser.error(f'--references: a set is given twice: {names}')
    return args


def write_png(path: str, image: np.ndarray) -> None:
    """Write PNG data (lossless, whatever the name's extension) to ``path``
    atomically, creating its folder."""
    ok, data = cv2.imencode('.png', image)
    if not ok:
        raise OSError(f'cannot encode {path}')
    with atomic_output(path) as temporary:
        temporary.write_bytes(data.tobytes())


def write_sets(args: argparse.Namespace, cfg: Config) -> np.ndarray:
    """Render, derain, split and write every test image, and its
    ``--references``; return the summed :func:`streak_residue` arrays."""
    dataset, add_rain, image_root = rain_free_test_set(cfg)
    derainer = init_derainer(checkpoint=args.derainer_checkpoint)
    sums = np.zeros((len(RESIDUE_BINS) - 1, 4))
    for index in tqdm(range(len(dataset)), desc='derain and split', unit='image'):
        loaded = dataset[index]
        clean = loaded['img']
        rainy = add_rain(dict(loaded, img=clean.copy()))['img']
        derained = derain(derainer, np.ascontiguousarray(rainy[..., ::-1]),
                          flip_ensemble=args.derain_flip_ensemble)[..., ::-1]
        derained = np.ascontiguousarray(derained)
        on_rain, off_rain = split_by_rain(clean, rainy, derained, args.threshold)
        sums += streak_residue(clean, rainy, derained)
        name = osp.relpath(loaded['img_path'], image_root)
        for folder, image in zip(SETS, (rainy, derained, on_rain, off_rain)):
            write_png(osp.join(args.out_dir, 'images', folder, name), image)
        reference: ReferenceDegradation
        for reference in args.references:
            write_png(osp.join(args.out_dir, 'images', reference.name, name),
                      reference.apply(clean, rainy, seed=(args.rain_seed, index)))
    return sums


def format_report(title: str, metric: str, full_scale: float, scores: Dict[str, float],
                  residue: List[Dict[str, Any]], threshold: float) -> str:
    """The two tables as text; no recovered share where the clean-rainy gap
    is below :data:`~cpra_mm.apis.downstream_report.GAP_TOLERANCE` of
    ``full_scale``. Sets after :data:`SETS` in ``scores`` are references,
    listed under their own heading."""
    gap = scores['clean'] - scores['rainy']
    shown = abs(gap) >= GAP_TOLERANCE * full_scale
    lines = [title, '', f'{"images":<19}{metric:>8}  recovered', '-' * 38]
    references = [name for name in scores if name not in ('clean',) + SETS]
    for name, value in scores.items():
        if references and name == references[0]:
            lines.append(REFERENCES_HEADING)
        share = (f'{100 * (value - scores["rainy"]) / gap:8.1f} %'
                 if shown and name not in ('clean', 'rainy') else '')
        lines.append(f'{name:<19}{value:8.3f}  {share}')
    lines += ['-' * 38, f'(rain-covered: rain moved some channel by more than {threshold:g} '
              'levels)', '', 'rain left on the pixel channels the rain brightened by:',
              f'{"levels":<10}{"share":>7}{"rain":>8}{"residue":>9}{"left":>8}{"|error|":>9}',
              '-' * 51]
    for row in residue:
        if row['rain'] is None:
            lines.append(f'{row["low"]:>3}-{row["high"]:<6}{100 * row["share"]:6.1f}%'
                         f'{"-":>8}{"-":>9}{"-":>8}{"-":>9}')
            continue
        left = f'{100 * row["left"]:7.1f}%' if row['left'] is not None else f'{"-":>8}'
        lines.append(f'{row["low"]:>3}-{row["high"]:<6}{100 * row["share"]:6.1f}%'
                     f'{row["rain"]:8.1f}{row["residue"]:+9.1f}{left}{row["abs_error"]:9.1f}')
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Write the image sets, test each and report."""
    args = parse_args(argv)
    rainy_cfg = mode_config(args.config, 'rainy', args.rain_seed, cfg_options=args.cfg_options)
    task = detect_task(rainy_cfg)
    sums = write_sets(args, rainy_cfg)
    metric = task.metrics[0][0]
    scores: Dict[str, float] = {}
    all_metrics: Dict[str, Dict[str, float]] = {}
    for name in ('clean',) + SETS + tuple(reference.name for reference in args.references):
        if name == 'clean':
            cfg = mode_config(args.config, 'clean', cfg_options=args.cfg_options)
        else:
            cfg = mode_config(args.config, 'rainy', rainy_dir=osp.join(args.out_dir, 'images',
                                                                       name),
                              cfg_options=args.cfg_options)
        metrics = evaluate_mode(cfg, args.checkpoint, osp.join(args.out_dir, name),
                                f'gap_attribution_{name}').metrics
        all_metrics[name] = table_metrics(metrics, task, name)
        scores[name] = all_metrics[name][metric]
    residue = summarise_residue(sums)
    title = (f'{osp.basename(args.config)} ({task.name}), AddRain(seed={args.rain_seed}), derainer '
             f'{osp.basename(args.derainer_checkpoint)}'
             f'{" (mirror ensemble)" if args.derain_flip_ensemble else " (one pass)"}')
    report = format_report(title, metric, task.full_scale, scores, residue, args.threshold)
    with open(osp.join(args.out_dir, 'gap_attribution.txt'), 'w') as file:
        file.write(report + '\n')
    with open(osp.join(args.out_dir, 'gap_attribution.json'), 'w') as file:
        json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                       derainer_checkpoint=args.derainer_checkpoint,
                       flip_ensemble=args.derain_flip_ensemble, rain_seed=args.rain_seed,
                       threshold=args.threshold,
                       references=[dict(kind=reference.kind, value=reference.value,
                                        name=reference.name) for reference in args.references],
                       metrics=all_metrics, residue=residue),
                  file, indent=2)
    print(f'\n{report}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
