"""The downstream study's design: five ways to run a detector or segmenter
in the rain, each a demo config file per test set, and the order in which
``tools/analysis/downstream_study.py`` trains and tests them.

Rows (:data:`ROWS`), for the shapes detector and the shapes segmenter
(:data:`STUDY_TASKS`) of ``configs/demo/``:

* ``rainy-baseline``: the shipped clean-trained model as it is;
* ``frozen-derainer``: the same model behind the frozen shipped derainer;
* ``rain-augmented``: the model fine-tuned on rainy training images;
* ``joint``: the model and the derainer fine-tuned together (task losses
  plus ``loss_restore``);
* ``rain-augmented+derainer``: the rain-augmented model behind the frozen
  derainer.

Each row is tested on the rainy validation images (``AddRain`` with the
configs' fixed test seed) and on the clean ones (:data:`TEST_SETS`), each
time with its own config file and the Runner.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROWS: Tuple[str, ...] = ('rainy-baseline', 'frozen-derainer', 'rain-augmented', 'joint',
                         'rain-augmented+derainer')
"""The study's rows, in table order."""

TEST_SETS: Tuple[str, ...] = ('rainy', 'clean')
"""The validation images every row is tested on, in table order."""


@dataclass(frozen=True)
class StudyRow:
    """How a row is made.

    Attributes:
        name: one of :data:`ROWS`.
        configs: ``(test set, config name template)`` pairs; the template's
            ``{model}`` is the task's clean config name, ``{prefix}`` its
            chain config prefix (:class:`StudyTask`).
        trained: the row fine-tunes with its ``rainy`` config (the
            ``train_*`` part of that file).
        weights_of: the row whose trained weights it tests; ``None``: its own
            (trained, or the shipped clean-trained model's).
    """
    name: str
    configs: Tuple[Tuple[str, str], ...]
    trained: bool = False
    weights_of: Optional[str] = None


def _chain(variant: str) -> Tuple[Tuple[str, str], ...]:
    """Config templates ``{prefix}_<variant>_<test set>`` for every test set."""
    return tuple((test, f'{{prefix}}_{variant}_{test}') for test in TEST_SETS)


STUDY_ROWS: Tuple[StudyRow, ...] = (
    StudyRow('rainy-baseline', (('rainy', '{prefix}_rainy'), ('clean', '{model}'))),
    StudyRow('frozen-derainer', _chain('cpraformer-frozen')),
    StudyRow('rain-augmented', _chain('rain-aug'), trained=True),
    StudyRow('joint', _chain('cpraformer-joint'), trained=True),
    StudyRow('rain-augmented+derainer', _chain('rain-aug_cpraformer-frozen'),
             weights_of='rain-augmented'),
)
"""The rows of :data:`ROWS`, in that order (a row's ``weights_of`` comes
before it)."""


@dataclass(frozen=True)
class StudyTask:
    """A downstream model of the study.

    Attributes:
        name: ``'det'`` or ``'seg'`` (the results' key).
        model: its clean config's name in ``configs/demo/``, also the name
            of its shipped weights (``cpra_mm/weights/<model>.pth``).
        prefix: the name its chain configs start with.
        metric: ``(shown name, evaluator key)`` of the study's metric.
        digits: decimals shown (3 for COCO mAP in [0, 1], 2 for mIoU in %).
    """
    name: str
    model: str
    prefix: str
    metric: Tuple[str, str]
    digits: int

    def config_name(self, row: StudyRow, test_set: str) -> str:
        """The file name of ``row``'s config for ``test_set``.

        Raises:
            KeyError: for a test set the row has no config for.
        """
        templates = dict(row.configs)
        if test_set not in templates:
            raise KeyError(f'row {row.name!r} has no config for test set {test_set!r}; '
                           f'it has {sorted(templates)}')
        return templates[test_set].format(model=self.model, prefix=self.prefix) + '.py'


STUDY_TASKS: Dict[str, StudyTask] = {
    'det': StudyTask('det', 'shapes_detector', 'shapes-detector', ('mAP', 'coco/bbox_mAP'), 3),
    'seg': StudyTask('seg', 'shapes_segmenter', 'shapes-segmenter', ('mIoU', 'mIoU'), 2),
}
"""The study's tasks by name, in table order."""


@dataclass(frozen=True)
class StudyStep:
    """One Runner run of the study.

    Attributes:
        task: the task's name.
        row: the row's name.
        config: the config file.
        test_set: the test set, or ``None`` for the row's training.
        seed: the training seed of the weights used (``None``: the shipped
            weights, the same for every seed).
        weights_of: the row whose training gives the weights tested
            (``None``: the shipped weights).
    """
    task: str
    row: str
    config: Path
    test_set: Optional[str]
    seed: Optional[int]
    weights_of: Optional[str]

    @property
    def trains(self) -> bool:
        """Whether the step trains (else it tests)."""
        return self.test_set is None


def study_steps(config_dir: Path, tasks: List[str], seeds: List[int]) -> List[StudyStep]:
    """Every Runner run of the study, in an order where each checkpoint is
    trained before it is tested: per task, the rows that test the shipped
    weights once, then per seed the trained rows and the rows testing their
    weights.

    Args:
        config_dir: the folder of the demo configs.
        tasks: names in :data:`STUDY_TASKS`.
        seeds: training seeds.

    Raises:
        KeyError: for an unknown task.
        FileNotFoundError: naming a config file that is missing.
    """
    unknown = [name for name in tasks if name not in STUDY_TASKS]
    if unknown:
        raise KeyError(f'unknown study tasks {unknown}; expected some of {list(STUDY_TASKS)}')
    steps = []
    for name in tasks:
        task = STUDY_TASKS[name]
        fixed = [row for row in STUDY_ROWS if not row.trained and row.weights_of is None]
        for seed, rows in [(None, fixed)] + [(s, [r for r in STUDY_ROWS if r not in fixed])
                                             for s in seeds]:
            for row in rows:
                source = row.name if row.trained else row.weights_of
                if row.trained:
                    steps.append(StudyStep(name, row.name, config_dir / task.config_name(
                        row, 'rainy'), None, seed, source))
                steps += [StudyStep(name, row.name, config_dir / task.config_name(row, test),
                                    test, seed, source) for test in TEST_SETS]
    missing = sorted({str(step.config) for step in steps if not step.config.is_file()})
    if missing:
        raise FileNotFoundError(f'study config files not found: {missing}')
    return steps
