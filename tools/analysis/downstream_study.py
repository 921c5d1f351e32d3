"""The downstream study on the built-in data: is a derainer worth it,
compared with fine-tuning the detector or segmenter on rainy images, and
does joint fine-tuning beat both?

For the demo detector and segmenter (``configs/demo/``), five rows
(:mod:`cpra_mm.apis.study_plan`): ``rainy-baseline`` (the shipped
clean-trained model), ``frozen-derainer`` (behind the frozen shipped
derainer), ``rain-augmented`` (fine-tuned on rainy images), ``joint`` (model
and derainer fine-tuned together) and ``rain-augmented+derainer``. The two
fine-tuned rows train with the same budget (``configs/demo/_base_/
rain_finetune.py``) from the shipped weights; every row is tested on the
same rainy validation images (the configs' fixed rain seed) and on the
clean ones, each test a Runner of its own with the config's own metric
(COCO bbox mAP, mIoU).

Writes to ``--out-dir``: ``study_results.json`` (``{"det": {ROW: {"rainy":
mAP, "clean": mAP}, ...}, "seg": {ROW: {"rainy": mIoU, "clean": mIoU},
...}}``, the mean over ``--seed`` values), ``study_results.txt`` (the table,
with the spread over seeds when there are several), ``study_results.png``
(a chart), ``study_runs.json`` (every run: config, weights, all metrics,
seconds) and ``study.log`` (everything the Runners printed); work dirs
under ``work/``. Prints one line per run. Run it from the repository root
(the configs' data path ``data/demo_shapes/`` is relative to it), one
thread per process on a shared CPU.

Examples:
    make study
    OMP_NUM_THREADS=1 python tools/analysis/downstream_study.py --out-dir outputs/study
    OMP_NUM_THREADS=1 python tools/analysis/downstream_study.py --seed 0 1   # spread
    python tools/analysis/downstream_study.py --iters 2 --out-dir /tmp/smoke  # smoke run
"""
import cpra_mm  # noqa: F401  (first: numpy / torch compatibility shims)

import argparse
import contextlib
import json
import os
import os.path as osp
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from mmengine.config import Config, DictAction

from cpra_mm.apis.config_training import shorten_schedule, train_config
from cpra_mm.apis.downstream_evaluation import evaluate_mode
from cpra_mm.apis.study_plan import (ROWS, STUDY_TASKS, TEST_SETS, StudyStep,
                                     study_steps)
from cpra_mm.apis.study_report import FILES, write_study_report
from cpra_mm.utils.pipeline_edit import type_name
from cpra_mm.utils.shipped_weights import shipped_weights

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'demo'
"""The demo configs (beside ``tools/`` in the repository and in an installed
``.mim`` copy)."""

LOG_TAIL_LINES = 40
"""Lines of ``study.log`` shown when a run fails."""


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(
        description='Train and test the five rows of the downstream study on the built-in data.')
    parser.add_argument('--out-dir', default='outputs/study',
                        help='folder for results, logs and work dirs (default outputs/study)')
    parser.add_argument('--tasks', nargs='+', choices=list(STUDY_TASKS),
                        default=list(STUDY_TASKS), help='tasks to run (default: det seg)')
    parser.add_argument('--seed', nargs='+', type=int, default=[0],
                        help='training seed(s) of the fine-tuned rows (default 0); with '
                        'several, the results are their mean and the table shows the spread')
    parser.add_argument('--iters', type=int,
                        help='iterations of each fine-tuned row (default: the configs\' own, '
                        'configs/demo/_base_/rain_finetune.py); fewer for a smoke run')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override entries of every config, key=value pairs (e.g. '
                        'train_dataloader.num_workers=0)')
    args = parser.parse_args(argv)
    if args.iters is not None and args.iters < 1:
        parser.error(f'--iters must be >= 1, got {args.iters}')
    if any(seed < 0 for seed in args.seed) or len(set(args.seed)) != len(args.seed):
        parser.error(f'--seed takes distinct integers >= 0, got {args.seed}')
    args.tasks = [name for name in STUDY_TASKS if name in args.tasks]
    return args


def read_config(path: Path, cfg_options: Optional[Dict[str, Any]]) -> Config:
    """A config file with the ``--cfg-options`` applied."""
    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def check_data(cfg: Config) -> None:
    """Check that the files the config's train and test data name exist
    (relative to the working directory, as the configs' ``data_root``).

    Raises:
        FileNotFoundError: naming the first missing file or folder and how
            to create the demo data.
    """
    for loader in ('train_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        root = dataset.get('data_root', '')
        paths = [dataset.get('ann_file') or None, *dataset.get('data_prefix', {}).values()]
        for path in filter(None, paths):
            full = osp.join(root, path)
            if not osp.exists(full):
                raise FileNotFoundError(
                    f'{osp.basename(cfg.filename)}: {loader} needs {full}, which does not exist '
                    f'(working directory {os.getcwd()}); run from the repository root, and '
                    'create the demo data with: python tools/make_demo_data.py --out '
                    f'{root.rstrip("/") or "data/demo_shapes"}')


def eval_rain_seed(cfg: Config) -> Optional[int]:
    """The seed of the ``AddRain`` in the config's test pipeline (None
    without one)."""
    seeds = [step.get('seed') for step in cfg.test_dataloader.dataset.pipeline
             if type_name(step) == 'AddRain']
    return seeds[0] if seeds else None


@contextlib.contextmanager
def logged_to(log: TextIO) -> Iterator[None]:
    """Send everything printed (the Runners' loggers, warnings) to ``log``."""
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        yield


def log_tail(path: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a text file."""
    with open(path, errors='replace') as f:
        return ''.join(deque(f, maxlen=lines))


def run_step(step: StudyStep, cfg: Config, work_dir: str,
             checkpoint: Optional[str]) -> Dict[str, Any]:
    """Train or test one step.

    Returns:
        ``{'checkpoint': path}`` for a training, ``{'metrics': {...}}`` for
        a test.
    """
    name = f'{step.task}_{step.row}_{step.test_set or "train"}_seed{step.seed}'
    if step.trains:
        return {'checkpoint': train_config(cfg, work_dir, name, seed=step.seed, validate=False)}
    return {'metrics': evaluate_mode(cfg, checkpoint, work_dir, name).metrics}


def describe(step: StudyStep, iters: Dict[str, int]) -> str:
    """The progress line's description of a step."""
    seed = '' if step.seed is None else f' seed {step.seed}'
    what = (f'train {iters[step.task]} iterations' if step.trains
            else f'test on {step.test_set} images')
    return f'{step.task}  {step.row:<24} {what}{seed}'


def check_same_test_data(configs: Dict[StudyStep, Config]) -> None:
    """Check that, for each task and test set, every row tests on the same
    images: the same test dataset (pipeline, rain and its seed included)
    and evaluator.

    Raises:
        ValueError: naming two config files that differ.
    """
    first: Dict[Tuple[str, Optional[str]], Tuple[Path, tuple]] = {}
    for step, cfg in configs.items():
        if step.trains:
            continue
        data = (cfg.test_dataloader.dataset, cfg.get('test_evaluator'))
        reference = first.setdefault((step.task, step.test_set), (step.config, data))
        if reference[1] != data:
            raise ValueError(
                f'{step.config.name} tests on other {step.test_set} images than '
                f'{reference[0].name} (test_dataloader.dataset or test_evaluator differ); '
                'every row of the study must test on the same images')


def load_configs(steps: Sequence[StudyStep], iters: Optional[int],
                 cfg_options: Optional[Dict[str, Any]]) -> Dict[StudyStep, Config]:
    """Every step's config (each file read once), the trainings shortened
    to ``iters`` when given.

    Raises:
        FileNotFoundError: when the data a task's first config reads is
            missing (:func:`check_data`).
        ValueError: when the rows of a task test on different images
            (:func:`check_same_test_data`).
    """
    files: Dict[Path, Config] = {}
    for step in steps:
        if step.config not in files:
            files[step.config] = read_config(step.config, cfg_options)
            if step.row == ROWS[0]:
                check_data(files[step.config])
    configs = {step: files[step.config] for step in steps}
    if iters is not None:
        configs.update({step: shorten_schedule(cfg, iters)
                        for step, cfg in configs.items() if step.trains})
    check_same_test_data(configs)
    return configs


@dataclass
class StudyRecord:
    """What the steps gave.

    Attributes:
        measured: ``{task: {row: {test set: [value per seed]}}}``.
        runs: one entry per step for ``study_runs.json``.
        trained: ``(task, row, seed)`` -> the checkpoint its training saved.
    """
    measured: Dict[str, Dict[str, Dict[str, List[float]]]]
    runs: List[Dict[str, Any]] = field(default_factory=list)
    trained: Dict[Tuple[str, str, Optional[int]], str] = field(default_factory=dict)


def run_steps(steps: Sequence[StudyStep], configs: Dict[StudyStep, Config],
              iters: Dict[str, int], out_dir: str, log: TextIO) -> StudyRecord:
    """Run the steps in order, printing a line for each; the Runners' output
    goes to ``log``.

    Raises:
        Exception: what a step raised, after printing the end of the log.
    """
    record = StudyRecord({task: {row: {test: [] for test in TEST_SETS} for row in ROWS}
                          for task in dict.fromkeys(step.task for step in steps)})
    for index, step in enumerate(steps, 1):
        print(f'[{index:2d}/{len(steps)}] {describe(step, iters)} ...', end='', flush=True)
        checkpoint = (None if step.trains else
                      record.trained[(step.task, step.weights_of, step.seed)]
                      if step.weights_of else
                      shipped_weights(f'{STUDY_TASKS[step.task].model}.pth'))
        work_dir = osp.join(out_dir, 'work', step.task, step.row,
                            '' if step.seed is None else f'seed{step.seed}',
                            step.test_set or 'train')
        start, start_cpu = time.time(), time.process_time()
        try:
            with logged_to(log):
                outcome = run_step(step, configs[step], work_dir, checkpoint)
        except Exception:
            log.flush()
            print(f' failed; the end of {log.name}:\n{log_tail(log.name)}', file=sys.stderr,
                  flush=True)
            raise
        seconds, cpu = time.time() - start, time.process_time() - start_cpu
        shown = ''
        if step.trains:
            record.trained[(step.task, step.row, step.seed)] = outcome['checkpoint']
        else:
            task = STUDY_TASKS[step.task]
            value = float(outcome['metrics'][task.metric[1]])
            record.measured[step.task][step.row][step.test_set].append(value)
            shown = f' {task.metric[0]} {value:.{task.digits}f}'
        print(f'{shown} ({seconds:.0f} s, {cpu:.0f} s CPU)', flush=True)
        record.runs.append({'task': step.task, 'row': step.row, 'test_set': step.test_set,
                            'seed': step.seed, 'config': osp.relpath(step.config),
                            'weights': outcome.get('checkpoint', checkpoint),
                            'metrics': outcome.get('metrics'), 'seconds': round(seconds, 1),
                            'cpu_s': round(cpu, 1)})
    return record


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the study, print its table and write the outputs."""
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    log_path = osp.join(args.out_dir, 'study.log')
    start, start_cpu = time.time(), time.process_time()
    with open(log_path, 'w') as log:
        try:
            steps = study_steps(CONFIG_DIR, args.tasks, args.seed)
            with logged_to(log):  # reading configs warns (pkg_resources, deprecations)
                configs = load_configs(steps, args.iters, args.cfg_options)
        except (FileNotFoundError, ValueError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
        iters = {step.task: cfg.train_cfg.max_iters
                 for step, cfg in configs.items() if step.trains}
        rain_seeds = sorted({eval_rain_seed(cfg) for step, cfg in configs.items()
                             if step.test_set == 'rainy'}, key=str)
        print(f'== downstream study: {" ".join(args.tasks)}, training seed(s) '
              f'{" ".join(map(str, args.seed))}, fine-tuned rows '
              f'{", ".join(f"{task} {n} iterations" for task, n in iters.items())}; '
              f'Runner logs: {log_path}', flush=True)
        record = run_steps(steps, configs, iters, args.out_dir, log)
    wall, cpu = time.time() - start, time.process_time() - start_cpu

    header = (f'downstream study: rainy = AddRain(seed={"/".join(map(str, rain_seeds))}) on '
              f'the validation images; fine-tuned rows '
              f'{", ".join(f"{task} {n}" for task, n in iters.items())} iterations, training '
              f'seed(s) {" ".join(map(str, args.seed))}; {wall / 60:.1f} min')
    title = (f'downstream study on the built-in data: test rain AddRain(seed='
             f'{"/".join(map(str, rain_seeds))}), fine-tuned rows '
             f'{", ".join(f"{task} {n}" for task, n in iters.items())} iterations, training '
             f'seed(s) {" ".join(map(str, args.seed))}')
    table = write_study_report(args.out_dir, record.measured, header, title)
    with open(osp.join(args.out_dir, 'study_runs.json'), 'w') as f:
        json.dump({'tasks': args.tasks, 'seeds': args.seed, 'iterations': iters,
                   'rain_seed': rain_seeds, 'wall_s': round(wall, 1), 'cpu_s': round(cpu, 1),
                   'runs': record.runs}, f, indent=2)
    print(f'\n{table}\n== done in {wall / 60:.1f} min ({cpu / 60:.1f} min CPU in this '
          f'process): {", ".join(osp.join(args.out_dir, name) for name in FILES)}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
