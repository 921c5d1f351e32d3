"""The layout ablation: train every arm of ``configs/layout_ablation/`` on
the same schedule, then measure and report them side by side.

1. **Train** each arm config with ``tools/train.py`` in a subprocess with
   ``OMP_NUM_THREADS=1`` (``--parallel 2``: two arms at once), its console
   output in ``WORK_DIR/train_console.log``. An arm whose final checkpoint
   (``iter_<max_iters>.pth``) exists is not trained again; ``--resume``
   continues an interrupted arm from its latest checkpoint (the data order
   after the resume point then differs from an uninterrupted run).
2. **Evaluate** each arm's final checkpoint (its EMA weights, equal budget
   for all) on the held-out set of ``tools/analysis/heldout_derain_eval.py``
   (53 unseen photographs, rain outside the training ranges): mean gain,
   worst-image gain, images made worse, dry pass-through mean and worst.
3. **Count** parameters and **time** one forward pass at 512 x 512 (batch
   1, eager fp32, ``no_grad``, ``--threads`` CPU threads): the median of
   ``--repeats`` runs after ``--warmup``, the arms timed in turn in this
   process so that they share the machine's state.
4. **Draw** the training curves (loss, and validation PSNR where logged)
   of every arm from its work dir's ``vis_data/scalars.json``, in one chart.
5. **Report** to ``--out-dir``: ``layout_ablation.json`` (everything,
   per-image rows included), ``layout_ablation.md`` (the table, machine and
   times) and ``layout_ablation_curves.png``. A run of the committed
   ablation (every arm, the configs' schedule, no ``--cfg-options``,
   default corpus and held-out settings) also replaces the marked result
   sections of ``docs/layout_ablation.md`` and
   ``configs/layout_ablation/README.md``, copies the chart beside the doc
   and rewrites ``configs/layout_ablation/metafile.yml``; ``--doc``,
   ``--readme`` and ``--metafile`` choose other files (for any run).

``--max-iters N`` trains a shortened schedule instead (every iteration
count of the config scaled by ``N / max_iters``; for smoke tests), in
``work_dirs/layout_ablation_<N>iter/<arm>`` unless ``--work-root`` says
otherwise.

Examples::

    python tools/analysis/layout_ablation.py                  # the whole ablation
    python tools/analysis/layout_ablation.py --parallel 2     # two arms at a time
    python tools/analysis/layout_ablation.py --resume         # after an interruption
    python tools/analysis/layout_ablation.py --arms reference corrected --max-iters 20
    python tools/analysis/layout_ablation.py --report-from work_dirs/layout_ablation/layout_ablation.json
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import yaml
from mmengine.config import Config, DictAction

TOOLS = Path(__file__).resolve().parents[1]
sys.path += [str(TOOLS / 'analysis'), str(TOOLS)]  # last: tools/test.py is no `test`
from benchmark_model import time_forward  # noqa: E402
from heldout_derain_eval import evaluate, read_test_split, summarise  # noqa: E402

from cpra_mm.apis import derain, init_derainer  # noqa: E402
from cpra_mm.utils.training_scalars import read_scalars  # noqa: E402

REPO = TOOLS.parent
CONFIG_DIR = REPO / 'configs' / 'layout_ablation'
DOC = REPO / 'docs' / 'layout_ablation.md'
README = CONFIG_DIR / 'README.md'
METAFILE = CONFIG_DIR / 'metafile.yml'
WEIGHTS = REPO / 'cpra_mm' / 'weights'
DEFAULT_CORPUS = REPO / 'data' / 'photo_corpus'
HELDOUT_DEFAULTS = dict(heldout_size=256, heldout_seed=7, heldout_limit=None)
"""The held-out evaluation's own defaults (heldout_derain_eval.py)."""
SECTION_BEGIN = ('<!-- layout-ablation results: begin (written by '
                 'tools/analysis/layout_ablation.py) -->')
SECTION_END = '<!-- layout-ablation results: end -->'
TRAIN_TIME_FILE = 'ablation_train_time.json'
CONSOLE_LOG = 'train_console.log'
LEADING_ARMS = ('reference', 'corrected')
"""Listed first in every table; the one-change arms follow by name."""
NOT_LAYOUT_KEYS = ('type', 'preset')
"""Generator keys that do not tell the arms apart."""


@dataclass(frozen=True)
class Arm:
    """One arm of the ablation.

    Attributes:
        name: ``ablation_arm`` of its config, e.g. ``'corrected-truncate'``.
        config: the config file.
        cfg: the config as read (custom imports not run), ``--cfg-options``
            merged.
        work_dir: where it trains.
        max_iters: iterations it trains for.
    """
    name: str
    config: Path
    cfg: Config
    work_dir: Path
    max_iters: int

    @property
    def final_checkpoint(self) -> Path:
        return self.work_dir / f'iter_{self.max_iters}.pth'

    @property
    def val_psnr_key(self) -> str:
        """The logged name of the validation PSNR, e.g.
        ``'photo-corpus-val/PSNR'``.

        Raises:
            ValueError: the config validates without a PSNR metric.
        """
        evaluators = self.cfg.val_evaluator
        for evaluator in [evaluators] if isinstance(evaluators, dict) else evaluators:
            if evaluator.get('type') == 'PSNR':
                prefix = evaluator.get('prefix')
                return f'{prefix}/PSNR' if prefix else 'PSNR'
        raise ValueError(f'{self.config} has no PSNR in val_evaluator')

    @property
    def network(self) -> str:
        """The generator settings that set this arm apart, e.g.
        ``layout='corrected', topk_estimator='truncate'``."""
        generator = self.cfg.model.generator
        return ', '.join(f'{key}={value!r}' for key, value in generator.items()
                         if key not in NOT_LAYOUT_KEYS)


# --------------------------------------------------------------------------
# Arms and their schedule
# --------------------------------------------------------------------------

def parse_cfg_options(options: Sequence[str]) -> dict:
    """``key=value`` strings as MMEngine's ``--cfg-options`` reads them."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--options', nargs='+', action=DictAction)
    return parser.parse_args(['--options', *options]).options if options else {}


def arm_order(name: str) -> tuple:
    """Sort key: :data:`LEADING_ARMS` first, then by name."""
    return (LEADING_ARMS.index(name) if name in LEADING_ARMS else len(LEADING_ARMS), name)


def find_arms(config_dir: Path) -> Dict[str, Path]:
    """``{arm name: config}`` of the arm configs in ``config_dir`` (its
    ``*.py`` files, each with an ``ablation_arm``), in :func:`arm_order`.

    Raises:
        ValueError: no config, a config without ``ablation_arm``, or two
            configs with the same arm.
    """
    arms: Dict[str, Path] = {}
    for path in sorted(config_dir.glob('*.py')):
        name = Config.fromfile(str(path), import_custom_modules=False).get('ablation_arm')
        if not name:
            raise ValueError(f'{path} sets no ablation_arm')
        if name in arms:
            raise ValueError(f'arm {name!r} is set by both {arms[name]} and {path}')
        arms[name] = path
    if not arms:
        raise ValueError(f'no arm configs in {config_dir}')
    return {name: arms[name] for name in sorted(arms, key=arm_order)}


def short_schedule_options(cfg: Config, max_iters: int) -> List[str]:
    """``--cfg-options`` that shorten the config's schedule to ``max_iters``:
    every iteration count (validation, checkpoint and logging intervals, the
    logged loss's averaging window, scheduler bounds, EMA start) scaled by
    ``max_iters / train_cfg.max_iters``, a nonzero count to at least 1.

    Raises:
        ValueError: ``max_iters < 2`` (warm-up and cosine need one each).
    """
    if max_iters < 2:
        raise ValueError(f'--max-iters must be at least 2, got {max_iters}')
    full = cfg.train_cfg.max_iters

    def scaled(value: int) -> int:
        return 0 if value == 0 else max(1, min(max_iters, round(value * max_iters / full)))

    options = [f'train_cfg.max_iters={max_iters}',
               f'train_cfg.val_interval={scaled(cfg.train_cfg.val_interval)}',
               f'default_hooks.checkpoint.interval={scaled(cfg.default_hooks.checkpoint.interval)}',
               f'default_hooks.logger.interval={scaled(cfg.default_hooks.logger.interval)}',
               f'log_processor.window_size={scaled(cfg.log_processor.window_size)}']
    for index, scheduler in enumerate(cfg.get('param_scheduler') or []):
        bounds = {key: scaled(scheduler[key]) for key in ('begin', 'end') if key in scheduler}
        if 'T_max' in scheduler:
            bounds['T_max'] = max(1, bounds['end'] - bounds['begin'])
        options += [f'param_scheduler.{index}.{key}={value}' for key, value in bounds.items()]
    for index, hook in enumerate(cfg.get('custom_hooks') or []):
        if 'begin_iter' in hook:
            options.append(f'custom_hooks.{index}.begin_iter={scaled(hook.begin_iter)}')
    return options


def corpus_options(corpus: Path) -> List[str]:
    """``--cfg-options`` pointing the train, val and test data at ``corpus``."""
    return [f'{split}_dataloader.dataset.data_root={corpus}' for split in ('train', 'val', 'test')]


def arm_options(names: Sequence[str], configs: Dict[str, Path], corpus: Path,
                cfg_options: List[str], max_iters: Optional[int]) -> Dict[str, List[str]]:
    """``{arm: --cfg-options}``: the data at ``corpus``, then
    :func:`short_schedule_options` when ``max_iters`` is given, then
    ``cfg_options`` (which win over both)."""
    options = {}
    for name in names:
        options[name] = corpus_options(corpus)
        if max_iters:
            cfg = Config.fromfile(str(configs[name]), import_custom_modules=False)
            cfg.merge_from_dict(parse_cfg_options(options[name] + cfg_options))
            options[name] += short_schedule_options(cfg, max_iters)
        options[name] += cfg_options
    return options


def load_arms(configs: Dict[str, Path], options: Dict[str, List[str]],
              work_root: Optional[Path]) -> List[Arm]:
    """The arms named in ``options``, each config with its options merged;
    each works in ``work_root/<arm>``, or in its config's ``work_dir``."""
    arms = []
    for name, arm_options_ in options.items():
        cfg = Config.fromfile(str(configs[name]), import_custom_modules=False)
        cfg.merge_from_dict(parse_cfg_options(arm_options_))
        work_dir = work_root / name if work_root else REPO / cfg.work_dir
        arms.append(Arm(name, configs[name], cfg, work_dir.resolve(), cfg.train_cfg.max_iters))
    return arms


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def train_command(arm: Arm, options: List[str], resume: bool) -> List[str]:
    """The ``tools/train.py`` command line of one arm."""
    command = [sys.executable, str(TOOLS / 'train.py'), str(arm.config),
               '--work-dir', str(arm.work_dir)]
    if resume:
        command.append('--resume')
    return command + (['--cfg-options', *options] if options else [])


def train_arm(arm: Arm, options: List[str], resume: bool) -> None:
    """Train one arm in a subprocess with one thread, adding its wall time
    to ``WORK_DIR/ablation_train_time.json``.

    Raises:
        RuntimeError: training failed; the message ends with its output.
    """
    arm.work_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    command = train_command(arm, options, resume)
    log = arm.work_dir / CONSOLE_LOG
    print(f'[{arm.name}] training: {" ".join(command)}', flush=True)
    start = time.monotonic()
    with log.open('a') as handle:
        handle.write(f'\n$ {" ".join(command)}\n')
        handle.flush()
        result = subprocess.run(command, cwd=REPO, env=env, stdout=handle,
                                stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    record = read_train_time(arm.work_dir) or {'seconds': 0.0, 'sessions': 0}
    record = {'seconds': record['seconds'] + seconds, 'sessions': record['sessions'] + 1}
    (arm.work_dir / TRAIN_TIME_FILE).write_text(json.dumps(record, indent=2))
    if result.returncode != 0 or not arm.final_checkpoint.is_file():
        tail = log.read_text()[-3000:]
        raise RuntimeError(f'[{arm.name}] training failed (exit {result.returncode}, no '
                           f'{arm.final_checkpoint.name}); end of {log}:\n{tail}')
    print(f'[{arm.name}] trained in {seconds / 60:.1f} min', flush=True)


def read_train_time(work_dir: Path) -> Optional[dict]:
    """``{'seconds': ..., 'sessions': ...}`` recorded by :func:`train_arm`,
    or None."""
    path = work_dir / TRAIN_TIME_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def train_arms(arms: Sequence[Arm], options: Dict[str, List[str]], resume: bool,
               parallel: int) -> None:
    """Train the arms without a final checkpoint, ``parallel`` at a time.

    Raises:
        RuntimeError: an arm has checkpoints but no final one and
            ``resume`` is off (before anything trains), or training failed
            (after every arm has run).
    """
    pending = [arm for arm in arms if not arm.final_checkpoint.is_file()]
    for arm in arms:
        if arm.final_checkpoint.is_file():
            print(f'[{arm.name}] {arm.final_checkpoint} exists: not trained again', flush=True)
    started = [arm.name for arm in pending if (arm.work_dir / 'last_checkpoint').is_file()]
    if started and not resume:
        raise RuntimeError(f'arms {started} were trained part of the way: pass --resume to '
                           'continue them, or delete their work dirs to start over')
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {arm.name: pool.submit(train_arm, arm, options[arm.name], resume)
                   for arm in pending}
    failures = [str(future.exception()) for future in futures.values() if future.exception()]
    if failures:
        raise RuntimeError('\n\n'.join(failures))


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------

def evaluate_arm(model: torch.nn.Module, photos: Sequence[Path], size: int,
                 seed: int) -> dict:
    """Held-out rows and summary of one trained arm (the derainer only, one
    pass of the network: the layouts are compared, not the mirror
    ensemble)."""
    rows = evaluate(photos, {'derainer': lambda image: derain(model, image, tile_size=None,
                                                              flip_ensemble=False)},
                    size, seed)
    return {'summary': summarise(rows, ['derainer'])['derainer'],
            'rainy_mean_psnr': summarise(rows, [])['rainy input']['mean PSNR'],
            'per_image': rows}


def latencies(models: Dict[str, torch.nn.Module], size: int, warmup: int,
              repeats: int) -> Dict[str, float]:
    """Median seconds of one forward pass of each model on one ``3 x size x
    size`` image, the models timed in turn, ``repeats`` rounds."""
    torch.manual_seed(0)
    image = torch.rand(1, 3, size, size)
    for model in models.values():
        time_forward(model, image, warmup, 0)
    times: Dict[str, List[float]] = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            times[name] += time_forward(model, image, 0, 1)
    return {name: statistics.median(values) for name, values in times.items()}


def curves_chart(series: Dict[str, Dict[str, list]], val_key: str, target: Path) -> None:
    """Write the loss and the validation PSNR of every arm against the
    iteration, two panels of one figure, to ``target`` (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    figure, (loss_axis, val_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for name, scalars in series.items():
        for axis, key in ((loss_axis, 'loss'), (val_axis, val_key)):
            if scalars.get(key):
                steps, values = zip(*scalars[key])
                axis.plot(steps, values, marker='.' if axis is val_axis else None, label=name)
    loss_axis.set(xlabel='iteration', ylabel='training loss (Charbonnier + 0.05 edge)',
                  yscale='log', title='training loss')
    val_axis.set(xlabel='iteration', ylabel=f'{val_key} (dB)', title='validation PSNR')
    for axis in (loss_axis, val_axis):
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def display_path(path: Path) -> str:
    """``path`` relative to the repository when inside it."""
    resolved = path.resolve()
    return (resolved.relative_to(REPO).as_posix() if resolved.is_relative_to(REPO)
            else str(resolved))


def machine() -> str:
    """CPU model, core count, OS and torch version of this machine."""
    cpuinfo = Path('/proc/cpuinfo')
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    cpu = next((line.split(':', 1)[1].strip() for line in lines if line.startswith('model name')),
               platform.processor() or 'unknown CPU')
    return (f'{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, '
            f'Python {platform.python_version()}, torch {torch.__version__}')


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------

def results_table(report: dict, folder: Path) -> str:
    """The Markdown table of every arm, its config links relative to
    ``folder`` (where the table is written)."""
    size = report['settings']['latency_size']
    lines = ['| arm | network (model.generator) | mean gain | worst gain | worse than rainy '
             f'| dry mean | dry worst | final val PSNR | parameters | latency {size} x {size} '
             '| training |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for name, arm in report['arms'].items():
        s = arm['heldout']
        val = f"{arm['final_val_psnr']:.2f} dB" if arm['final_val_psnr'] is not None else 'n/a'
        train = f"{arm['train_seconds'] / 60:.0f} min" if arm['train_seconds'] else 'not recorded'
        lines.append(
            f"| [{name}]({os.path.relpath(REPO / arm['config'], folder)}) | `{arm['network']}` | "
            f"{s['mean gain']:+.2f} dB | {s['worst gain']:+.2f} dB | "
            f"{s['images worse than rainy']} / {report['settings']['heldout_images']} | "
            f"{s['dry mean']:.2f} dB | {s['dry worst']:.2f} dB | {val} | "
            f"{arm['parameters']:,} | {arm['latency_s']:.2f} s | {train} |")
    return '\n'.join(lines)


def paired_differences(report: dict, baseline: str = 'corrected') -> List[Dict[str, object]]:
    """Per-image differences of ``baseline`` against every other arm on the
    held-out photographs: for the derained rainy image and for the dry
    pass-through, the mean of ``baseline``'s PSNR minus the arm's, its
    standard error (the per-image differences' standard deviation over the
    square root of their count) and on how many images ``baseline`` is
    higher. Empty when ``baseline`` is not an arm of the report."""
    arms = report['arms']
    if baseline not in arms:
        return []
    rows = []
    for name, arm in arms.items():
        if name == baseline:
            continue
        row: Dict[str, object] = {'arm': name}
        for key, label in (('derainer', 'rainy'), ('derainer dry', 'dry')):
            ours = {r['image']: r[key] for r in arms[baseline]['per_image']}
            theirs = {r['image']: r[key] for r in arm['per_image']}
            diffs = [ours[image] - theirs[image] for image in ours if image in theirs]
            row[label] = {'mean': statistics.mean(diffs),
                          'se': statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1
                          else float('nan'),
                          'higher': sum(diff > 0 for diff in diffs), 'images': len(diffs)}
        rows.append(row)
    return rows


def paired_table(report: dict, baseline: str = 'corrected') -> str:
    """:func:`paired_differences` as a Markdown table ('' without
    ``baseline``)."""
    rows = paired_differences(report, baseline)
    if not rows:
        return ''
    lines = [f'Paired, image by image: `{baseline}` minus each other arm (mean PSNR '
             'difference +- its standard error, and on how many photographs '
             f'`{baseline}` is higher):', '',
             '| arm | derained rainy photograph | dry pass-through |', '|---|---:|---:|']
    for row in rows:
        cells = [f"{row[key]['mean']:+.2f} +- {row[key]['se']:.2f} dB "
                 f"({row[key]['higher']} / {row[key]['images']})" for key in ('rainy', 'dry')]
        lines.append(f"| {row['arm']} | {cells[0]} | {cells[1]} |")
    return '\n'.join(lines)


def results_section(report: dict, folder: Path, chart: str) -> str:
    """Table, chart (a file name in ``folder``), settings, machine and
    times, as Markdown to be written in ``folder``."""
    settings = report['settings']
    paired = paired_table(report)
    lines = [results_table(report, folder), '', *([paired, ''] if paired else []),
             f"Held-out set: {settings['heldout_images']} photographs of `{settings['corpus']}`, "
             f"centre-cropped to {settings['heldout_size']} px, rain seed "
             f"{settings['heldout_seed']}; the rainy input scores "
             f"{report['rainy_mean_psnr']:.2f} dB on average (RGB PSNR). Gains are over the "
             'rainy input; "dry" is PSNR(clean, derain(clean)), one pass of the network. Every '
             'arm: final EMA weights '
             f"after {settings['max_iters']} iterations"
             + (f", `--cfg-options {' '.join(settings['cfg_options'])}`"
                if settings['cfg_options'] else '') + '.',
             '',
             f"Latency: one {settings['latency_size']} x {settings['latency_size']} image, "
             f"batch 1, eager fp32, no_grad, {settings['threads']} CPU thread(s), median of "
             f"{settings['repeats']} runs after {settings['warmup']} warm-up, the arms timed "
             'in turn in one process.', '',
             f'![training curves of every arm]({chart})', '']
    train_minutes = sum(arm['train_seconds'] or 0 for arm in report['arms'].values()) / 60
    lines += [f"Machine: {report['machine']}. Report written {report['finished']}.",
              f"Training: {train_minutes:.0f} min of wall time over all arms as recorded per "
              f"arm (each with OMP_NUM_THREADS=1, {settings['parallel']} at a time in the run "
              f"that trained it). This run of the tool: {report['wall_seconds'] / 60:.1f} min "
              f"in all, of which training {report['stage_seconds']['train'] / 60:.1f} min, "
              f"held-out evaluation {report['stage_seconds']['evaluate'] / 60:.1f} min, "
              f"latency {report['stage_seconds']['latency'] / 60:.1f} min.",
              '', f"Command: `{settings['command']}`"]
    return '\n'.join(lines)


def replace_section(path: Path, body: str) -> None:
    """Replace the text between :data:`SECTION_BEGIN` and
    :data:`SECTION_END` in ``path`` with ``body``.

    Raises:
        ValueError: ``path`` lacks either marker.
    """
    text = path.read_text()
    begin, end = text.find(SECTION_BEGIN), text.find(SECTION_END)
    if begin < 0 or end < begin:
        raise ValueError(f'{path} has no result section to replace: it needs the lines\n'
                         f'{SECTION_BEGIN}\n{SECTION_END}')
    path.write_text(text[:begin + len(SECTION_BEGIN)] + '\n' + body + '\n' + text[end:])


def metafile_text(arms: Sequence[Arm], parameters: Dict[str, int],
                  results: Optional[Dict[str, dict]]) -> str:
    """``metafile.yml`` of the ablation configs: each arm with its
    parameters, its held-out results when ``results`` has them, and its
    weights when ``cpra_mm/weights/<config name>.pth`` exists."""
    models = []
    for arm in arms:
        cfg = arm.cfg
        entry = {'Config': arm.config.relative_to(REPO).as_posix(),
                 'In Collection': 'CPRAformer layout ablation', 'Name': arm.config.stem,
                 'Metadata': {'Training Data': 'photo corpus',
                              'Training Resources': 'CPU, 1 thread',
                              'Iterations': arm.max_iters,
                              'Batch Size': cfg.train_dataloader.batch_size,
                              'Parameters': parameters[arm.name]}}
        if results and arm.name in results:
            s = results[arm.name]
            entry['Results'] = [{'Task': 'Image Deraining', 'Dataset': 'heldout', 'Metrics': {
                'Gain': round(s['mean gain'], 2), 'Worst Gain': round(s['worst gain'], 2),
                'Dry PSNR': round(s['dry mean'], 2), 'Dry Worst': round(s['dry worst'], 2)}}]
        if (WEIGHTS / f'{arm.config.stem}.pth').is_file():
            entry['Weights'] = f'weights/{arm.config.stem}.pth'
        models.append(entry)
    meta = {'Collections': [{
        'Name': 'CPRAformer layout ablation',
        'Metadata': {'Architecture': ['CPRAformer']},
        'README': 'configs/layout_ablation/README.md',
        'Task': ['deraining']}], 'Models': models}
    header = ('# Written by tools/analysis/layout_ablation.py: the arms of the layout\n'
              '# ablation, each trained from scratch on the same schedule, measured on the\n'
              '# held-out set (gains and dry PSNR in dB). Results appear once measured.\n')
    return header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]], arm_names: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('--arms', nargs='+', choices=arm_names, default=list(arm_names),
                        help='arms to run (default: all)')
    parser.add_argument('--max-iters', type=int, default=None,
                        help='train a schedule shortened to this many iterations')
    parser.add_argument('--work-root', type=Path, default=None,
                        help='train arm A in WORK_ROOT/A (default: the config\'s work_dir, or '
                        'work_dirs/layout_ablation_<N>iter with --max-iters)')
    parser.add_argument('--resume', action='store_true',
                        help='continue arms trained part of the way from their latest checkpoint')
    parser.add_argument('--parallel', type=int, choices=(1, 2), default=1,
                        help='arms trained at once (each with one thread)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='config overrides for every arm (key=value, after those of '
                        '--corpus and --max-iters), passed to train.py and used to build the '
                        'networks')
    parser.add_argument('--corpus', type=Path, default=DEFAULT_CORPUS,
                        help='photo corpus: training data and held-out photographs')
    parser.add_argument('--heldout-size', type=int, default=HELDOUT_DEFAULTS['heldout_size'])
    parser.add_argument('--heldout-seed', type=int, default=HELDOUT_DEFAULTS['heldout_seed'])
    parser.add_argument('--heldout-limit', type=int, default=None,
                        help='evaluate on the first N test photographs only')
    parser.add_argument('--report-from', type=Path, default=None, metavar='JSON',
                        help="write the reports again from an earlier run's "
                        'layout_ablation.json (and the chart beside it) without training or '
                        'measuring; the other options then only choose the files written')
    parser.add_argument('--latency-size', type=int, default=512)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=1,
                        help='CPU threads of the evaluation and latency runs')
    parser.add_argument('--out-dir', type=Path, default=None,
                        help='results folder (default: the work root, work_dirs/layout_ablation)')
    parser.add_argument('--doc', type=Path, default=None,
                        help='Markdown file whose result section to replace (default: '
                        f'{DOC.relative_to(REPO)} for the committed ablation, none otherwise)')
    parser.add_argument('--readme', type=Path, default=None,
                        help=f'likewise, table only (default: {README.relative_to(REPO)})')
    parser.add_argument('--metafile', type=Path, default=None,
                        help=f'metafile to rewrite (default: {METAFILE.relative_to(REPO)})')
    return parser.parse_args(argv)


def is_committed_run(args: argparse.Namespace, arm_names: Sequence[str]) -> bool:
    """Whether ``args`` run the committed ablation as configured."""
    return (sorted(args.arms) == sorted(arm_names) and args.max_iters is None
            and not args.cfg_options and args.corpus.resolve() == DEFAULT_CORPUS.resolve()
            and all(getattr(args, key) == value for key, value in HELDOUT_DEFAULTS.items()))


def measure(arms: Sequence[Arm], photos: Sequence[Path],
            args: argparse.Namespace) -> Tuple[Dict[str, dict], Dict[str, float]]:
    """``({arm: results}, {stage: seconds})``: held-out results,
    parameters, latency, training time and last validation PSNR of every
    trained arm, and how long the evaluation and the latency runs took."""
    tick = time.monotonic()
    models, heldout = {}, {}
    for arm in arms:
        print(f'[{arm.name}] held-out evaluation of {arm.final_checkpoint}', flush=True)
        models[arm.name] = init_derainer(arm.cfg, arm.final_checkpoint)
        heldout[arm.name] = evaluate_arm(models[arm.name], photos, args.heldout_size,
                                         args.heldout_seed)
    evaluated = time.monotonic()
    print(f'latency at {args.latency_size} x {args.latency_size}, {args.repeats} rounds',
          flush=True)
    latency = latencies(models, args.latency_size, args.warmup, args.repeats)
    stage_seconds = {'evaluate': evaluated - tick, 'latency': time.monotonic() - evaluated}
    results = {}
    for arm in arms:
        train_time = read_train_time(arm.work_dir)
        val = read_scalars(arm.work_dir).get(arm.val_psnr_key)
        results[arm.name] = {
            'config': arm.config.relative_to(REPO).as_posix(),
            'network': arm.network, 'work_dir': str(arm.work_dir),
            'checkpoint': str(arm.final_checkpoint),
            'parameters': sum(p.numel() for p in models[arm.name].parameters()),
            'latency_s': latency[arm.name],
            'train_seconds': train_time['seconds'] if train_time else None,
            'final_val_psnr': val[-1][1] if val else None,
            'rainy_mean_psnr': heldout[arm.name]['rainy_mean_psnr'],
            'heldout': heldout[arm.name]['summary'],
            'per_image': heldout[arm.name]['per_image']}
    return results, stage_seconds


def write_reports(report: dict, arms: Sequence[Arm], chart: Path, doc: Optional[Path],
                  readme: Optional[Path], metafile: Optional[Path]) -> None:
    """Replace the result sections of ``doc`` (copying the chart beside it)
    and ``readme``, and rewrite ``metafile``; each only when given.

    Raises:
        ValueError, FileNotFoundError: a missing file or result section.
    """
    if doc:
        doc_chart = doc.with_name(f'{doc.stem}_curves.png')
        shutil.copyfile(chart, doc_chart)
        replace_section(doc, results_section(report, doc.resolve().parent, doc_chart.name))
    if readme:
        linked = doc or DOC
        replace_section(readme, results_table(report, readme.resolve().parent)
                        + '\n\nSettings, machine, times and the training curves: '
                        f'[{linked.name}]({os.path.relpath(linked, readme.parent)}).')
    if metafile:
        metafile.write_text(metafile_text(
            arms, {name: arm['parameters'] for name, arm in report['arms'].items()},
            {name: arm['heldout'] for name, arm in report['arms'].items()}))


def rewrite_reports(source: Path, arms: Sequence[Arm], out_dir: Path,
                    args: argparse.Namespace, committed: bool) -> int:
    """``--report-from``: the reports of an earlier run, written again from
    its JSON and chart (e.g. after the report format changed)."""
    chart = source.with_name('layout_ablation_curves.png')
    try:
        report = json.loads(source.read_text())
        if not chart.is_file():
            raise FileNotFoundError(f'{chart} (the chart of {source}) does not exist')
        (out_dir / 'layout_ablation.md').write_text(
            results_section(report, out_dir.resolve(), chart.name) + '\n')
        if chart.resolve() != (out_dir / chart.name).resolve():
            shutil.copyfile(chart, out_dir / chart.name)
        write_reports(report, [arm for arm in arms if arm.name in report['arms']], chart,
                      args.doc or (DOC if committed else None),
                      args.readme or (README if committed else None),
                      args.metafile or (METAFILE if committed else None))
    except (ValueError, FileNotFoundError, json.JSONDecodeError, KeyError) as error:
        print(f'error: --report-from {source}: {error}', file=sys.stderr)
        return 2
    print(results_table(report, Path.cwd()))
    print(f'reports written again from {source}')
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit code (1: training failed,
    2: bad arguments, data or report files)."""
    started = time.monotonic()
    configs = find_arms(CONFIG_DIR)
    args = parse_args(argv, list(configs))
    committed = is_committed_run(args, list(configs))
    torch.set_num_threads(args.threads)
    work_root = args.work_root or (REPO / 'work_dirs' / f'layout_ablation_{args.max_iters}iter'
                                   if args.max_iters else None)
    corpus = args.corpus.resolve()
    try:
        options = arm_options(sorted(args.arms, key=arm_order), configs, corpus,
                              list(args.cfg_options), args.max_iters)
        arms = load_arms(configs, options, work_root)
        photos = read_test_split(corpus)[:args.heldout_limit]
        if not photos:
            raise ValueError(f'no test photographs in {corpus}')
    except (ValueError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    out_dir = args.out_dir or work_root or REPO / 'work_dirs' / 'layout_ablation'
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.report_from:
        return rewrite_reports(args.report_from, arms, out_dir, args, committed)

    tick = time.monotonic()
    try:
        train_arms(arms, options, args.resume, args.parallel)
    except RuntimeError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    trained = time.monotonic() - tick
    results, stage_seconds = measure(arms, photos, args)
    stage_seconds['train'] = trained
    chart = out_dir / 'layout_ablation_curves.png'
    curves_chart({arm.name: read_scalars(arm.work_dir) for arm in arms},
                 arms[0].val_psnr_key, chart)
    report = {
        'machine': machine(),
        'finished': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'settings': {
            'command': 'python tools/analysis/layout_ablation.py ' + ' '.join(
                sys.argv[1:] if argv is None else argv),
            'max_iters': arms[0].max_iters, 'cfg_options': list(args.cfg_options),
            'corpus': display_path(corpus), 'heldout_images': len(photos),
            'heldout_size': args.heldout_size, 'heldout_seed': args.heldout_seed,
            'latency_size': args.latency_size, 'warmup': args.warmup, 'repeats': args.repeats,
            'threads': args.threads, 'parallel': args.parallel},
        'rainy_mean_psnr': results[arms[0].name]['rainy_mean_psnr'],
        'arms': results, 'stage_seconds': stage_seconds,
        'wall_seconds': time.monotonic() - started}
    (out_dir / 'layout_ablation.json').write_text(json.dumps(report, indent=2))
    (out_dir / 'layout_ablation.md').write_text(
        results_section(report, out_dir.resolve(), chart.name) + '\n')
    try:
        write_reports(report, arms, chart, args.doc or (DOC if committed else None),
                      args.readme or (README if committed else None),
                      args.metafile or (METAFILE if committed else None))
    except (ValueError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if not committed and not (args.doc or args.readme or args.metafile):
        print('not the committed ablation (arms, schedule, options, corpus or held-out '
              'settings changed): docs, README and metafile left alone', flush=True)
    print(results_table(report, Path.cwd()))
    print(f'results: {out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
