"""What deraining buys a detector or segmenter: its metric on clean, rainy
and derained images.

The same test images are evaluated three ways with MMEngine's Runner
(``runner.test()`` with the config's own evaluator, CocoMetric or IoUMetric):

* ``clean``: the config's test pipeline as it is;
* ``rainy``: ``AddRain(seed=...)`` inserted right after the image-loading
  transform (fixed rain per image), or the dataset's images read from
  ``--rainy-dir`` (same file names);
* ``derained``: rainy, with the model's data preprocessor swapped for
  ``DerainDetDataPreprocessor`` / ``DerainSegDataPreProcessor`` (same mean,
  std, channel flip and padding) holding the derainer.

It prints one table (det: mAP, AP50, AP75; seg: mIoU, mAcc, aAcc) with the
gain (derained - rainy) and the share of the clean-rainy gap recovered
((derained - rainy) / (clean - rainy)), and writes to ``--out-dir``:
``downstream_results.json``, the table as ``downstream_results.txt``, a bar
chart ``downstream_results.png`` and ``samples.png`` (rows: images; columns
rainy | derained | clean, with the predictions drawn). Runner logs go to
``<out-dir>/<mode>/``; under ``--launcher pytorch`` only rank 0 writes.

The task checkpoint is loaded strictly (every key but the derainer's, whose
weights come from ``--derainer-checkpoint``), so a mismatched checkpoint
fails instead of testing a half-initialised model.

Examples:
    python tools/eval_downstream.py configs/demo/shapes_detector.py \
        cpra_mm/weights/shapes_detector.pth \
        --derainer-checkpoint cpra_mm/weights/cpraformer_small_photos.pth \
        --rain-seed 0 --out-dir outputs/downstream_det
    torchrun --nproc_per_node 2 tools/eval_downstream.py CONFIG CKPT \
        --derainer-checkpoint DERAINER --out-dir OUT --launcher pytorch
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import copy
import importlib
import json
import math
import os
import os.path as osp
import sys
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import matplotlib

matplotlib.use('Agg')
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, ConfigDict, DictAction  # noqa: E402
from mmengine.dist import is_main_process  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from cpra_mm.apis.generator_builder import (generator_config_from_config,  # noqa: E402
                                            generator_config_from_meta)
from cpra_mm.utils.derainer_checkpoint import checkpoint_meta, read_checkpoint  # noqa: E402
from cpra_mm.utils.launch import prepare_cpu_distributed  # noqa: E402

MODES: Tuple[str, ...] = ('clean', 'rainy', 'derained')
"""Evaluation modes, in table order."""

SAMPLE_COLUMNS: Tuple[str, ...] = ('rainy', 'derained', 'clean')
"""Column order of ``samples.png``."""

MIN_PANEL_SIDE = 256
"""Sample panels are enlarged (nearest neighbour) to at least this many
pixels on their longer side so box labels stay legible."""

DERAINER_KEY_PREFIX = 'data_preprocessor.derain_stage.'
"""State-dict prefix of the derainer inside a derain data preprocessor."""

GAP_TOLERANCE = 1e-3
"""A clean-rainy gap below this share of the metric's full scale counts as
none (recovered share 'n/a')."""


@dataclass(frozen=True)
class Task:
    """What differs between detection and segmentation.

    Attributes:
        name: ``'det'`` or ``'seg'``.
        module: cpra_mm module that registers the derain preprocessor.
        derain_preprocessor: registered name of that preprocessor.
        plain_preprocessors: preprocessor types that may be swapped for it.
        metrics: ``(table name, evaluator key without prefix)`` pairs.
        full_scale: the metrics' full scale (1 for COCO AP, 100 for IoU %).
        image_prefix: key of the dataset's ``data_prefix`` naming the image
            folder.
    """
    name: str
    module: str
    derain_preprocessor: str
    plain_preprocessors: Tuple[str, ...]
    metrics: Tuple[Tuple[str, str], ...]
    full_scale: float
    image_prefix: str


TASKS: Dict[str, Task] = {
    'mmdet': Task('det', 'cpra_mm.det', 'DerainDetDataPreprocessor',
                  ('DetDataPreprocessor', 'DerainDetDataPreprocessor'),
                  (('mAP', 'bbox_mAP'), ('AP50', 'bbox_mAP_50'), ('AP75', 'bbox_mAP_75')),
                  1.0, 'img'),
    'mmseg': Task('seg', 'cpra_mm.seg', 'DerainSegDataPreProcessor',
                  ('SegDataPreProcessor', 'DerainSegDataPreProcessor'),
                  (('mIoU', 'mIoU'), ('mAcc', 'mAcc'), ('aAcc', 'aAcc')), 100.0, 'img_path'),
}
"""Tasks by their OpenMMLab scope."""


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
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
                        help='derain tile by tile with this tile side (default: whole images)')
    rain = parser.add_mutually_exclusive_group()
    rain.add_argument('--rain-seed', type=int, default=0,
                      help='seed of the synthetic rain added after image loading (default 0)')
    rain.add_argument('--rainy-dir',
                      help='folder of rainy copies of the test images, same file names')
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES),
                        help='modes to evaluate (default: all three)')
    parser.add_argument('--out-dir', required=True, help='folder for results and logs')
    parser.add_argument('--num-vis', type=int, default=4,
                        help='test images shown in samples.png (0: none)')
    parser.add_argument('--vis-score-thr', type=float, default=0.3,
                        help='smallest score of a drawn box (det)')
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
    if args.rainy_dir and not osp.isdir(args.rainy_dir):
        parser.error(f'--rainy-dir folder not found: {args.rainy_dir}')
    if args.derainer_layout and not args.derainer_preset:
        parser.error('--derainer-layout needs --derainer-preset')
    if args.num_vis < 0:
        parser.error('--num-vis must be >= 0')
    return args


def detect_task(cfg: Config) -> Task:
    """The task of a config: its ``default_scope``, else the scope that
    registers its model type.

    Raises:
        ValueError: naming the config, when neither says mmdet or mmseg.
    """
    scope = cfg.get('default_scope')
    if scope in TASKS:
        return TASKS[scope]
    model_type = str(cfg.get('model', {}).get('type', ''))
    if '.' in model_type and model_type.split('.')[0] in TASKS:
        return TASKS[model_type.split('.')[0]]
    for scope_name in TASKS:
        registry = importlib.import_module(f'{scope_name}.registry').MODELS
        if model_type and registry.get(model_type) is not None:
            return TASKS[scope_name]
    raise ValueError(f'{cfg.filename}: cannot tell detection from segmentation '
                     f'(default_scope={scope!r}, model.type={model_type!r}); set '
                     'default_scope to mmdet or mmseg')


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


def transform_name(transform: dict) -> str:
    """A pipeline entry's type without its scope (``'mmdet.X'`` -> ``'X'``)."""
    kind = transform.get('type', '')
    return kind.split('.')[-1] if isinstance(kind, str) else getattr(kind, '__name__', '')


def eval_dataset_cfg(cfg: Config) -> ConfigDict:
    """``cfg.test_dataloader.dataset``, which must have its own pipeline.

    Raises:
        ValueError: for a dataset wrapper without ``pipeline``.
    """
    dataset = cfg.test_dataloader.dataset
    if 'pipeline' not in dataset:
        raise ValueError(f'{cfg.filename}: test_dataloader.dataset ({dataset.get("type")}) has '
                         'no pipeline of its own; dataset wrappers are not supported')
    return dataset


def make_rainy(cfg: Config, task: Task, rain_seed: int, rainy_dir: Optional[str]) -> None:
    """Point the test set at ``rainy_dir``, or insert ``AddRain(seed=...)``
    right after the image-loading transform."""
    dataset = eval_dataset_cfg(cfg)
    if rainy_dir:
        prefix = dataset.setdefault('data_prefix', ConfigDict())
        prefix[task.image_prefix] = osp.abspath(rainy_dir)
        return
    pipeline = dataset.pipeline
    loaders = [i for i, t in enumerate(pipeline) if transform_name(t).startswith('LoadImage')]
    if not loaders:
        raise ValueError(f'{cfg.filename}: the test pipeline has no LoadImage* transform to '
                         'insert AddRain after; use --rainy-dir')
    pipeline.insert(loaders[0] + 1, dict(type='AddRain', seed=rain_seed))


def make_derained(cfg: Config, task: Task, derainer: Dict[str, Any], checkpoint: str,
                  tile_size: Optional[int]) -> None:
    """Swap the model's data preprocessor for the task's derain preprocessor
    with the same settings."""
    current = dict(cfg.model.get('data_preprocessor') or {})
    kind = transform_name(current) or task.plain_preprocessors[0]
    if kind not in task.plain_preprocessors:
        raise ValueError(f'{cfg.filename}: model.data_preprocessor is {kind}; only '
                         f'{", ".join(task.plain_preprocessors)} can be swapped for '
                         f'{task.derain_preprocessor}')
    settings = {k: v for k, v in current.items()
                if k not in ('type', 'derainer', 'derainer_checkpoint', 'derain_tile_size')}
    cfg.model.data_preprocessor = dict(type=task.derain_preprocessor, derainer=derainer,
                                       derainer_checkpoint=checkpoint,
                                       derain_tile_size=tile_size, **settings)


def mode_config(base: Config, task: Task, mode: str, args: argparse.Namespace,
                derainer: Optional[Dict[str, Any]]) -> Config:
    """A copy of ``base`` that tests ``args.checkpoint`` in ``mode``."""
    cfg = copy.deepcopy(base)
    stem = osp.splitext(osp.basename(args.config))[0]
    cfg.experiment_name = f'{stem}_{mode}_{time.strftime("%Y%m%d_%H%M%S")}'
    if isinstance(cfg.get('visualizer'), dict):
        cfg.visualizer.name = cfg.experiment_name
    cfg.work_dir = osp.join(args.out_dir, mode)
    cfg.load_from = None
    cfg.resume = False
    if mode != 'clean':
        make_rainy(cfg, task, args.rain_seed, args.rainy_dir)
    if mode == 'derained':
        make_derained(cfg, task, derainer, args.derainer_checkpoint, args.derain_tile_size)
    return cfg


def load_task_weights(runner: Runner, checkpoint: str) -> None:
    """Load the detector's / segmenter's weights strictly, except for the
    derainer inside a derain preprocessor: its weights always come from
    ``--derainer-checkpoint`` (loaded when the preprocessor is built), and
    derainer weights inside the task checkpoint are ignored.

    Raises:
        RuntimeError: naming ``checkpoint`` and the keys, when its weights do
            not fit the model.
    """
    model = getattr(runner.model, 'module', runner.model)
    loaded = read_checkpoint(checkpoint)
    state = loaded.get('state_dict', loaded)
    state = {key[len('module.'):] if key.startswith('module.') else key: value
             for key, value in state.items()}
    state = {key: value for key, value in state.items()
             if not key.startswith(DERAINER_KEY_PREFIX)}
    own = model.state_dict()
    missing = [key for key in own if key not in state and not key.startswith(DERAINER_KEY_PREFIX)]
    unexpected = [key for key in state if key not in own]
    reshaped = [key for key in own if key in state and state[key].shape != own[key].shape]
    if missing or unexpected or reshaped:
        raise RuntimeError(f'{checkpoint} does not fit {type(model).__name__}: '
                           f'{len(missing)} missing keys {missing[:5]}, '
                           f'{len(unexpected)} unexpected keys {unexpected[:5]}, '
                           f'{len(reshaped)} keys of another shape {reshaped[:5]}')
    model.load_state_dict(state, strict=False)


def table_metrics(metrics: Dict[str, float], task: Task, mode: str) -> Dict[str, float]:
    """Pick the table's metrics from the evaluator's output (keys may carry
    a prefix such as ``coco/``).

    Raises:
        KeyError: naming the missing metric and the keys present.
    """
    by_name = {key.split('/')[-1]: value for key, value in metrics.items()}
    picked = {}
    for shown, key in task.metrics:
        if key not in by_name:
            raise KeyError(f'{mode}: the evaluator reported no {key!r}; got {sorted(metrics)}')
        picked[shown] = float(by_name[key])
    return picked


def summarise(results: Dict[str, Dict[str, float]], task: Task) -> Dict[str, Dict[str, Any]]:
    """Gain (derained - rainy) and recovered share ((derained - rainy) /
    (clean - rainy); None when the gap is below :data:`GAP_TOLERANCE` of
    full scale or a mode is missing), per metric."""
    gain: Dict[str, Optional[float]] = {}
    recovered: Dict[str, Optional[float]] = {}
    for name, _ in task.metrics:
        rainy = results.get('rainy', {}).get(name)
        derained = results.get('derained', {}).get(name)
        clean = results.get('clean', {}).get(name)
        gain[name] = None if rainy is None or derained is None else derained - rainy
        gap = None if clean is None or rainy is None else clean - rainy
        recovered[name] = (gain[name] / gap if gain[name] is not None and gap is not None
                           and abs(gap) >= GAP_TOLERANCE * task.full_scale else None)
    return {'gain': gain, 'recovered': recovered}


def format_table(results: Dict[str, Dict[str, float]], summary: Dict[str, Dict[str, Any]],
                 task: Task) -> str:
    """The results as a fixed-width text table."""
    names = [name for name, _ in task.metrics]
    digits = 3 if task.full_scale == 1.0 else 2

    def number(value: Optional[float], signed: bool = False) -> str:
        return 'n/a' if value is None else f'{value:{"+" if signed else ""}.{digits}f}'

    rows = [['mode'] + names]
    rows += [[mode] + [number(results[mode][n]) for n in names] for mode in MODES
             if mode in results]
    rows.append(['gain'] + [number(summary['gain'][n], signed=True) for n in names])
    rows.append(['recovered'] + ['n/a' if summary['recovered'][n] is None
                                 else f'{100 * summary["recovered"][n]:.1f}%' for n in names])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, '-' * len(lines[0]))
    lines.insert(len(lines) - 2, '-' * len(lines[0]))
    return '\n'.join(lines)


def plot_results(results: Dict[str, Dict[str, float]], task: Task, title: str,
                 path: str) -> None:
    """Grouped bar chart: one group per metric, one bar per mode."""
    names = [name for name, _ in task.metrics]
    modes = [mode for mode in MODES if mode in results]
    colours = {'clean': '#4c9a2a', 'rainy': '#7f7f7f', 'derained': '#1f77b4'}
    fig, ax = plt.subplots(figsize=(2.6 + 1.6 * len(names), 3.6))
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        xs = np.arange(len(names)) + (i - (len(modes) - 1) / 2) * width
        values = [results[mode][n] for n in names]
        bars = ax.bar(xs, values, width, label=mode, color=colours[mode])
        ax.bar_label(bars, fmt='%.3f' if task.full_scale == 1.0 else '%.1f', fontsize=7)
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_ylim(0, task.full_scale * 1.08)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def class_colours(meta: Dict[str, Any], count: int) -> List[Tuple[int, int, int]]:
    """RGB colour per class: the dataset's palette, else a fixed colour map."""
    palette = meta.get('palette')
    if palette is not None and len(palette) >= count:
        return [tuple(int(c) for c in colour) for colour in palette[:count]]
    cmap = plt.get_cmap('tab10')
    return [tuple(int(255 * c) for c in cmap(i % 10)[:3]) for i in range(count)]


def draw_detections(image: np.ndarray, sample: Any, meta: Dict[str, Any],
                    score_thr: float) -> np.ndarray:
    """Draw the predicted boxes (score >= ``score_thr``) with class names and
    scores on an ``H x W x 3`` uint8 RGB image (enlarged for legibility)."""
    classes = meta.get('classes', ())
    colours = class_colours(meta, max(len(classes), 1))
    zoom = max(1, math.ceil(MIN_PANEL_SIDE / max(image.shape[:2])))
    canvas = cv2.resize(image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    pred = sample.pred_instances
    scale = np.asarray(sample.metainfo.get('scale_factor', (1.0, 1.0)), np.float32)
    boxes = pred.bboxes.detach().cpu().numpy() * np.tile(scale, 2) * zoom
    for box, label, score in zip(boxes, pred.labels.tolist(), pred.scores.tolist()):
        if score < score_thr:
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        colour = colours[label % len(colours)]
        name = classes[label] if label < len(classes) else str(label)
        cv2.rectangle(canvas, (x0, y0), (x1, y1), colour, 2)
        text = f'{name} {score:.2f}'
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
        top = max(y0 - th - 4, 0)
        left = max(min(x0, canvas.shape[1] - tw - 4), 0)
        cv2.rectangle(canvas, (left, top), (left + tw + 4, top + th + 4), colour, -1)
        cv2.putText(canvas, text, (left + 2, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return canvas


def shown_classes(meta: Dict[str, Any], count: int) -> np.ndarray:
    """``(count,)`` bool: which classes a segmentation overlay colours (all
    but those named 'background')."""
    shown = np.ones(count, bool)
    for index, name in enumerate(meta.get('classes', ())[:count]):
        shown[index] = name.lower() != 'background'
    return shown


def draw_segmentation(image: np.ndarray, sample: Any, meta: Dict[str, Any]) -> np.ndarray:
    """Blend the predicted classes' colours (alpha 0.6) over an ``H x W x 3``
    uint8 RGB image (enlarged for legibility) and outline each class region;
    classes named 'background' stay uncoloured."""
    pred = sample.pred_sem_seg.data[0].detach().cpu().numpy().astype(np.int64)
    if pred.shape != image.shape[:2]:
        pred = cv2.resize(pred.astype(np.uint8), image.shape[1::-1],
                          interpolation=cv2.INTER_NEAREST).astype(np.int64)
    count = max(len(meta.get('classes', ())), int(pred.max()) + 1)
    colours = np.array(class_colours(meta, count), np.float32)
    mask = shown_classes(meta, count)[pred]
    out = image.astype(np.float32)
    out[mask] = 0.4 * out[mask] + 0.6 * colours[pred[mask]]
    zoom = max(1, math.ceil(MIN_PANEL_SIDE / max(image.shape[:2])))
    canvas = cv2.resize(out.round().astype(np.uint8), None, fx=zoom, fy=zoom,
                        interpolation=cv2.INTER_NEAREST)
    pred = cv2.resize(pred.astype(np.uint8), canvas.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    for label in np.unique(pred[mask.repeat(zoom, 0).repeat(zoom, 1)]):
        contours, _ = cv2.findContours((pred == label).astype(np.uint8), cv2.RETR_EXTERNAL,
                                       cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, tuple(int(c) for c in colours[label]), 2)
    return canvas


def segmentation_legend(meta: Dict[str, Any]) -> List[Tuple[str, Tuple[int, int, int]]]:
    """``(class name, RGB colour)`` of every class an overlay colours."""
    classes = list(meta.get('classes', ()))
    colours = class_colours(meta, len(classes))
    shown = shown_classes(meta, len(classes))
    return [(name, colour) for name, colour, keep in zip(classes, colours, shown) if keep]


def sample_panels(runner: Runner, task: Task, count: int, score_thr: float) -> List[np.ndarray]:
    """Predictions of the tested model on the first ``count`` test images,
    drawn on the image the model saw (derained when the preprocessor has a
    derain stage); ``H x W x 3`` uint8 RGB each."""
    model = getattr(runner.model, 'module', runner.model)
    loader = runner.test_dataloader
    dataset = loader.dataset
    meta = dict(getattr(dataset, 'metainfo', {}))
    stage = getattr(model.data_preprocessor, 'derain_stage', None)
    panels = []
    for index in range(min(count, len(dataset))):
        batch = loader.collate_fn([dataset[index]])
        with torch.no_grad():
            sample = model.test_step(batch)[0]
            shown = batch['inputs'][0]
            if stage is not None:
                shown = stage([shown.to(next(stage.parameters()).device)])[0]
        bgr = shown.detach().float().clamp(0, 255).round().byte().cpu().numpy().transpose(1, 2, 0)
        rgb = np.ascontiguousarray(bgr[..., ::-1])
        panels.append(draw_detections(rgb, sample, meta, score_thr) if task.name == 'det'
                      else draw_segmentation(rgb, sample, meta))
    return panels


def plot_samples(panels: Dict[str, List[np.ndarray]], path: str,
                 legend: Sequence[Tuple[str, Tuple[int, int, int]]] = ()) -> None:
    """Grid: one row per image, columns in :data:`SAMPLE_COLUMNS` order,
    with an optional colour legend ``(name, RGB)`` below."""
    columns = [mode for mode in SAMPLE_COLUMNS if panels.get(mode)]
    rows = min(len(panels[mode]) for mode in columns)
    height, width = panels[columns[0]][0].shape[:2]
    fig, axes = plt.subplots(rows, len(columns), squeeze=False,
                             figsize=(len(columns) * width / 100,
                                      rows * height / 100 + (0.6 if legend else 0.3)))
    for col, mode in enumerate(columns):
        axes[0, col].set_title(mode, fontsize=10)
        for row in range(rows):
            axes[row, col].imshow(panels[mode][row])
            axes[row, col].axis('off')
    if legend:
        handles = [matplotlib.patches.Patch(color=np.array(colour) / 255, label=name)
                   for name, colour in legend]
        fig.legend(handles=handles, loc='lower center', ncol=len(handles), fontsize=9,
                   frameon=False)
    fig.tight_layout(pad=0.2, rect=(0, 0.3 / fig.get_figheight() if legend else 0, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(args: argparse.Namespace, task: Task, derainer: Optional[Dict[str, Any]],
                 results: Dict[str, Dict[str, float]], raw: Dict[str, Dict[str, float]]) -> str:
    """Write ``downstream_results.{json,txt,png}`` to ``args.out_dir``.

    Returns:
        The table's text (title line first).
    """
    summary = summarise(results, task)
    if args.rainy_dir:
        rain, source = {'rainy_dir': osp.abspath(args.rainy_dir)}, f'rain from {args.rainy_dir}'
    else:
        rain, source = {'seed': args.rain_seed}, f'AddRain(seed={args.rain_seed})'
    title = (f'{osp.basename(args.config)} ({task.name}), {source}, derainer '
             f'{osp.basename(args.derainer_checkpoint or "-")}')
    table = f'{title}\n{format_table(results, summary, task)}\n'
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'downstream_results.txt'), 'w') as f:
        f.write(table)
    report = {
        'task': task.name,
        'config': args.config,
        'checkpoint': args.checkpoint,
        'derainer_checkpoint': args.derainer_checkpoint,
        'derainer': derainer,
        'rain': rain,
        'metrics': results,
        **summary,
        'all_metrics': raw,
    }
    with open(osp.join(args.out_dir, 'downstream_results.json'), 'w') as f:
        json.dump(report, f, indent=2)
    plot_results(results, task, title, osp.join(args.out_dir, 'downstream_results.png'))
    return table


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    base = Config.fromfile(args.config)
    if args.cfg_options is not None:
        base.merge_from_dict(args.cfg_options)
    base.launcher = args.launcher
    task = detect_task(base)
    importlib.import_module(task.module)
    derainer = derainer_config(args) if 'derained' in args.modes else None
    prepare_cpu_distributed(base)

    results: Dict[str, Dict[str, float]] = {}
    raw: Dict[str, Dict[str, float]] = {}
    panels: Dict[str, List[np.ndarray]] = {}
    legend: List[Tuple[str, Tuple[int, int, int]]] = []
    for mode in args.modes:
        runner = Runner.from_cfg(mode_config(base, task, mode, args, derainer))
        load_task_weights(runner, args.checkpoint)
        metrics = runner.test()
        raw[mode] = {key: float(value) for key, value in metrics.items()}
        results[mode] = table_metrics(metrics, task, mode)
        if args.num_vis and is_main_process():
            panels[mode] = sample_panels(runner, task, args.num_vis, args.vis_score_thr)
            if task.name == 'seg':
                legend = segmentation_legend(dict(runner.test_dataloader.dataset.metainfo))
        del runner

    if is_main_process():
        print(f'\n{write_report(args, task, derainer, results, raw)}')
        if panels:
            plot_samples(panels, osp.join(args.out_dir, 'samples.png'), legend)
    return 0


if __name__ == '__main__':
    sys.exit(main())
