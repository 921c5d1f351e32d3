"""What deraining buys a detector or segmenter: its metric on clean, rainy
and derained images.

The same test images are evaluated three ways with MMEngine's Runner and the
config's own evaluator (CocoMetric or IoUMetric): ``clean`` (the config as
it is), ``rainy`` (``AddRain(seed)`` right after image loading, or the
images of ``--rainy-dir``) and ``derained`` (rainy, with the derain data
preprocessor holding the derainer). A config with chain configs beside it
(``configs/demo/shapes_detector.py`` -> ``shapes-detector_rainy.py``,
``shapes-detector_cpraformer-frozen_rainy.py``) is tested with those files;
any other config gets the same edits made in memory
(:mod:`cpra_mm.apis.downstream_modes`).

It prints one table (det: mAP, AP50, AP75; seg: mIoU, mAcc, aAcc) with the
gain (derained - rainy) and the share of the clean-rainy gap recovered, and
writes to ``--out-dir``: ``downstream_results.{json,txt,png}`` and
``samples.png`` (rows: images; columns rainy | derained | clean, predictions
drawn by the framework's visualiser on the image the model saw). Runner logs
go to ``<out-dir>/<mode>/``; under ``--launcher pytorch`` only rank 0 writes.

One rain draw of a small test set gives a noisy recovered share (on the
demo's 128 images the seg share ranges from 44 % to 80 % over rain seeds 0-2).
With ``--per-image`` each test image's errors are counted as it is tested
(seg: wrong pixels; det: misses plus false positives at IoU 0.5 among boxes
scoring at least ``--per-image-score-thr``) and written to
``per_image_errors.{csv,txt}``, sorted by how many errors deraining added
(derained - rainy): the images it hurts come first.
Several ``--rain-seed`` values evaluate the rainy and derained modes once per
draw (Runner logs under ``<out-dir>/<mode>_seed<N>/``, the clean mode once):
the table shows the means over the draws, its recovered share is the mean
gain over the mean gap, and one more row per draw gives that draw's share.

Examples:
    DERAINER=$(python -c 'from cpra_mm.apis import BUILTIN_CHECKPOINT as c; print(c)')
    python tools/eval_downstream.py configs/demo/shapes_detector.py \
        cpra_mm/weights/shapes_detector.pth \
        --derainer-checkpoint $DERAINER --rain-seed 0 --out-dir outputs/downstream_det
    python tools/eval_downstream.py configs/demo/shapes_segmenter.py \
        cpra_mm/weights/shapes_segmenter.pth \
        --derainer-checkpoint $DERAINER --rain-seed 0 1 2 --out-dir outputs/downstream_seg
    python tools/eval_downstream.py configs/demo/shapes_segmenter.py \
        cpra_mm/weights/shapes_segmenter.pth --derainer-checkpoint $DERAINER \
        --per-image --out-dir outputs/downstream_seg_per_image
    torchrun --nproc_per_node 2 tools/eval_downstream.py CONFIG CKPT \
        --derainer-checkpoint DERAINER --out-dir OUT --launcher pytorch
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import os
import os.path as osp
import sys
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import DictAction
from mmengine.dist import is_main_process

from cpra_mm.apis.downstream_evaluation import evaluate_mode
from cpra_mm.apis.downstream_modes import MODES, mode_config
from cpra_mm.apis.downstream_per_image import format_per_image, per_image_rows, write_per_image
from cpra_mm.apis.downstream_report import average_draws, table_metrics, write_report
from cpra_mm.apis.downstream_samples import plot_samples
from cpra_mm.apis.downstream_task import detect_task
from cpra_mm.apis.generator_builder import generator_config_from_config, generator_config_from_meta
from cpra_mm.utils.derain_pass_arguments import add_derain_pass_arguments
from cpra_mm.utils.derainer_checkpoint import checkpoint_meta, read_checkpoint


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Parse and check the command line (files exist, options agree)."""
    parser = argparse.ArgumentParser(
        description='Evaluate a detector or segmenter on clean, rainy and derained images.')
    parser.add_argument('config', help='MMDetection or MMSegmentation config')
    parser.add_argument('checkpoint', help='trained weights of that model')
    parser.add_argument('--derainer-checkpoint',
                        help='derainer weights (needed for the derained mode)')
    derainer = parser.add_mutually_exclusive_group()
    derainer.add_argument('--derainer-config',
                          help='MMagic config whose model.generator is the derainer')
    derainer.add_argument('--derainer-preset',
                          help='CPRAformer preset of the derainer, e.g. small (default: '
                          'preset and layout from the checkpoint\'s meta)')
    parser.add_argument('--derainer-layout',
                        help='CPRAformer layout with --derainer-preset (default: the '
                        'checkpoint\'s meta, else CPRAformer\'s default)')
    parser.add_argument('--derain-tile-size', type=int,
                        help='derain tile by tile with this tile side (default: the chain '
                        'config\'s, else whole images)')
    add_derain_pass_arguments(parser, default=None,
                              default_help='the chain config\'s, else one pass')
    rain = parser.add_mutually_exclusive_group()
    rain.add_argument('--rain-seed', type=int, nargs='+', default=[0],
                      help='seed of the synthetic rain added after image loading (default '
                      '0); several seeds evaluate the rainy and derained modes once per '
                      'rain draw and report the means, with each draw\'s recovered share')
    rain.add_argument('--rainy-dir',
                      help='folder of rainy copies of the test images, same file names')
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES),
                        help='modes to evaluate (default: all three)')
    parser.add_argument('--out-dir', required=True, help='folder for results and logs')
    parser.add_argument('--num-vis', type=int, default=4,
                        help='test images shown in samples.png (0: none)')
    parser.add_argument('--vis-score-thr', type=float, default=0.3,
                        help='smallest score of a drawn box (det)')
    parser.add_argument('--per-image', action='store_true',
                        help='count each test image\'s errors per mode and list the images '
                        'deraining hurts and helps most (per_image_errors.{csv,txt})')
    parser.add_argument('--per-image-score-thr', type=float, default=0.3,
                        help='smallest score of a detection counted by --per-image (det)')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none',
                        help='job launcher (pytorch: under torchrun)')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0,
                        help='set by torch.distributed.launch')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value pairs')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    args.modes = [mode for mode in MODES if mode in args.modes]
    if 'derained' in args.modes and not args.derainer_checkpoint:
        parser.error('the derained mode needs --derainer-checkpoint')
    for name in ('config', 'checkpoint', 'derainer_checkpoint', 'derainer_config'):
        path = getattr(args, name)
        in_package = name.endswith('config') and '::' in (path or '')  # e.g. mmdet::retinanet/...
        if path and not in_package and not osp.isfile(path):
            parser.error(f'--{name.replace("_", "-")} file not found: {path}'
                         if name.startswith('derainer') else f'{name} file not found: {path}')
    if any(seed < 0 for seed in args.rain_seed) or len(set(args.rain_seed)) < len(args.rain_seed):
        parser.error(f'--rain-seed must be distinct integers >= 0, got {args.rain_seed}')
    if args.rainy_dir and not osp.isdir(args.rainy_dir):
        parser.error(f'--rainy-dir folder not found: {args.rainy_dir}')
    if args.derainer_layout and not args.derainer_preset:
        parser.error('--derainer-layout needs --derainer-preset')
    if args.num_vis < 0:
        parser.error('--num-vis must be >= 0')
    if not 0 <= args.per_image_score_thr <= 1:
        parser.error(f'--per-image-score-thr must be in [0, 1], got {args.per_image_score_thr}')
    return args


def derainer_config(args: argparse.Namespace) -> Dict[str, Any]:
    """The derainer's model config from ``--derainer-config``,
    ``--derainer-preset`` (+ ``--derainer-layout``) or the checkpoint's
    ``meta`` (``preset``, ``layout``)."""
    if args.derainer_config:
        return generator_config_from_config(args.derainer_config)
    meta = checkpoint_meta(read_checkpoint(args.derainer_checkpoint)) or {}
    if args.derainer_preset:
        generator = dict(type='CPRAformer', preset=args.derainer_preset)
        layout = args.derainer_layout or (meta.get('layout')
                                          if meta.get('preset') == args.derainer_preset else None)
        if layout:
            generator['layout'] = layout
        return generator
    try:
        return generator_config_from_meta(meta, args.derainer_checkpoint)
    except ValueError as error:
        raise ValueError(f'--derainer-checkpoint: {error} (--derainer-config or '
                         '--derainer-preset)') from error


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Evaluate the modes, print the table and write the outputs."""
    args = parse_args(argv)
    derainer = derainer_config(args) if 'derained' in args.modes else None
    stem = osp.splitext(osp.basename(args.config))[0]
    seeds = args.rain_seed
    several = len(seeds) > 1
    draws: Dict[int, Dict[str, Dict[str, float]]] = {seed: {} for seed in seeds}
    all_metrics: Dict[str, Dict[str, float]] = {}
    samples: Dict[str, List[np.ndarray]] = {}
    per_image: Dict[str, Dict[str, int]] = {}
    for mode in args.modes:
        for seed in seeds[:1] if mode == 'clean' else seeds:
            name = f'{mode}_seed{seed}' if several and mode != 'clean' else mode
            cfg = mode_config(args.config, mode, seed, args.rainy_dir, derainer,
                              args.derainer_checkpoint, args.derain_tile_size,
                              args.derain_flip_ensemble, args.cfg_options)
            task = detect_task(cfg)
            evaluation = evaluate_mode(cfg, args.checkpoint, osp.join(args.out_dir, name),
                                       f'{stem}_{name}', args.launcher, args.num_vis,
                                       args.vis_score_thr, args.per_image,
                                       args.per_image_score_thr)
            all_metrics[name] = evaluation.metrics
            if args.per_image:
                per_image[name] = evaluation.per_image
            draws[seed][mode] = table_metrics(evaluation.metrics, task, name)
            samples.setdefault(mode, evaluation.samples)
    if 'clean' in args.modes:
        for draw in draws.values():
            draw['clean'] = draws[seeds[0]]['clean']
    results = average_draws(draws) if several else draws[seeds[0]]

    if is_main_process():
        if args.rainy_dir:
            rain, source = ({'rainy_dir': osp.abspath(args.rainy_dir)},
                            f'rain from {args.rainy_dir}')
        elif several:
            rain = {'seeds': seeds}
            source = f'AddRain(seed in {seeds}; rainy and derained averaged over the draws)'
        else:
            rain, source = {'seed': seeds[0]}, f'AddRain(seed={seeds[0]})'
        title = (f'{osp.basename(args.config)} ({task.name}), {source}, derainer '
                 f'{osp.basename(args.derainer_checkpoint or "-")}')
        run = {'config': args.config, 'checkpoint': args.checkpoint,
               'derainer_checkpoint': args.derainer_checkpoint, 'derainer': derainer,
               'rain': rain}
        report = write_report(args.out_dir, title, task, results, all_metrics, run,
                              draws if several else None)
        print(f'\n{report}')
        if any(samples.values()):
            plot_samples(samples, osp.join(args.out_dir, 'samples.png'))
        if args.per_image:
            rows = per_image_rows(per_image)
            write_per_image(osp.join(args.out_dir, 'per_image_errors.csv'), rows)
            text = format_per_image(rows, task)
            with open(osp.join(args.out_dir, 'per_image_errors.txt'), 'w') as file:
                file.write(text + '\n')
            print(f'\n{text}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
