"""The downstream study (tools/analysis/downstream_study.py): its configs
give the fine-tuned rows one budget, the tool refuses rows that test on
different images, and a shortened study (one iteration per fine-tuned row,
one generated image) runs in-process and writes the JSON, table and chart."""
import json
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from cpra_mm.apis.config_training import shorten_schedule
from cpra_mm.apis.study_plan import (ROWS, STUDY_ROWS, STUDY_TASKS, TEST_SETS, StudyStep,
                                     study_steps)
from cpra_mm.apis.study_report import format_study_table, mean_results
from cpra_mm.utils.pipeline_edit import type_name
from cpra_mm.utils.shipped_weights import builtin_derainer_checkpoint, shipped_weights
from tool_loading import load_tool

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / 'configs' / 'demo'

QUICK = [
    'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False', 'train_dataloader.dataset.serialize_data=False',
    'test_dataloader.dataset.serialize_data=False'
]
"""``--cfg-options`` of the shortened study: batches of one, data loaded in
the main process, datasets not serialised (serialising runs ``gc.collect()``,
about a second per dataset in a test process)."""


def config(task: str, row: str, test_set: str) -> Config:
    """A row's config for a test set."""
    study_task = STUDY_TASKS[task]
    study_row = next(r for r in STUDY_ROWS if r.name == row)
    return Config.fromfile(str(DEMO / study_task.config_name(study_row, test_set)))


def task_model(cfg: Config):
    """The detector or segmenter config (inside the joint wrapper if any)."""
    return cfg.model.task_model if cfg.model.type == 'JointDerainTaskModel' else cfg.model


@pytest.mark.parametrize('task', list(STUDY_TASKS))
def test_fine_tuned_rows_share_one_budget(task):
    """rain-augmented and joint: the same iterations, optimiser, schedule,
    batch, training rain and starting weights (the shipped clean-trained
    model); the joint row also starts from the shipped derainer and trains
    it."""
    augmented, joint = config(task, 'rain-augmented', 'rainy'), config(task, 'joint', 'rainy')
    for key in ('train_cfg', 'param_scheduler', 'randomness'):
        assert augmented[key] == joint[key], key
    assert augmented.train_cfg.type == 'IterBasedTrainLoop'
    assert augmented.optim_wrapper.optimizer == joint.optim_wrapper.optimizer
    assert augmented.train_dataloader.batch_size == joint.train_dataloader.batch_size
    weights = shipped_weights(f'{STUDY_TASKS[task].model}.pth')
    assert task_model(augmented).init_cfg == task_model(joint).init_cfg == dict(
        type='Pretrained', checkpoint=weights)
    preprocessor = task_model(joint).data_preprocessor
    assert preprocessor.trainable is True
    assert preprocessor.derainer_checkpoint == builtin_derainer_checkpoint()
    rains = []
    for cfg in (augmented, joint):
        rain = [t for t in cfg.train_dataloader.dataset.pipeline if type_name(t) == 'AddRain']
        assert len(rain) == 1 and rain[0]['seed'] is None
        rains.append({k: v for k, v in rain[0].items() if k not in ('src_key', 'dst_key')})
    assert rains[0] == rains[1], 'the two rows train on different rain'


def test_rows_must_test_on_the_same_images():
    """The tool refuses a study whose rows test on different images."""
    study = load_tool('analysis/downstream_study')
    try:
        pipeline = [dict(type='LoadImageFromFile'), dict(type='AddRain', seed=0)]
        configs = {
            StudyStep('det', row, Path(f'{row}.py'), 'rainy', None, None): Config(dict(
                test_dataloader=dict(dataset=dict(pipeline=pipeline)),
                test_evaluator=dict(type='CocoMetric')))
            for row in ROWS[:2]
        }
        study.check_same_test_data(configs)
        configs[next(iter(configs))].test_dataloader.dataset.pipeline[1]['seed'] = 1
        with pytest.raises(ValueError, match='frozen-derainer.py tests on other rainy images '
                           'than rainy-baseline.py'):
            study.check_same_test_data(configs)
    finally:
        del sys.modules['analysis/downstream_study']


def test_study_steps_train_before_testing():
    steps = study_steps(DEMO, ['det', 'seg'], [0, 1])
    assert len(steps) == 2 * (4 + 2 * 8)
    trained = set()
    for step in steps:
        if step.trains:
            trained.add((step.task, step.row, step.seed))
        elif step.weights_of is not None:
            assert (step.task, step.weights_of, step.seed) in trained
    fixed = [step for step in steps if step.seed is None]
    assert {step.row for step in fixed} == {'rainy-baseline', 'frozen-derainer'}
    with pytest.raises(KeyError, match='unknown study tasks'):
        study_steps(DEMO, ['cls'], [0])


def test_shorten_schedule_compresses_the_cosine():
    cfg = shorten_schedule(config('seg', 'joint', 'rainy'), 3)
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 3
    assert cfg.param_scheduler[0]['end'] == cfg.param_scheduler[0]['T_max'] == 3
    assert cfg.default_hooks.checkpoint.interval == 3
    with pytest.raises(ValueError, match='iteration-based'):
        shorten_schedule(config('det', 'rainy-baseline', 'clean'), 3)


def test_table_shows_the_spread_over_seeds():
    measured = {'seg': {'rainy-baseline': {'rainy': [90.0], 'clean': [94.0]},
                        'joint': {'rainy': [92.0, 93.0], 'clean': [93.5, 94.5]}}}
    assert mean_results(measured) == {'seg': {'rainy-baseline': {'rainy': 90.0, 'clean': 94.0},
                                              'joint': {'rainy': 92.5, 'clean': 94.0}}}
    table = format_study_table(measured, 'header')
    assert '92.50 (1.00)' in table and 'largest minus smallest' in table


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """The working directory of a study on generated demo data (one training,
    one validation image), where the configs' relative data root finds it."""
    make_demo_data = load_tool('make_demo_data')
    assert make_demo_data.main(['--out', str(tmp_path / 'data' / 'demo_shapes'),
                                '--num-train', '1', '--num-val', '1']) == 0
    del sys.modules['make_demo_data']
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_shortened_study_writes_the_results(workspace, capsys, monkeypatch):
    """One iteration per fine-tuned row, one validation image: the JSON has
    both tasks, the five rows in order and a float per test set; the table,
    chart and run list are written, and the console shows progress lines,
    not the Runners' logs. (The Runners' config dumps are left unformatted:
    yapf would take about a second per Runner, 24 of them.)"""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda cfg: cfg.text))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    study = load_tool('analysis/downstream_study')
    try:
        assert study.main(['--iters', '1', '--out-dir', 'study', '--cfg-options', *QUICK]) == 0
    finally:
        torch.set_num_threads(threads)
        del sys.modules['analysis/downstream_study']
    out = workspace / 'study'
    results = json.loads((out / 'study_results.json').read_text())
    assert list(results) == ['det', 'seg']
    for task, rows in results.items():
        assert list(rows) == list(ROWS)
        for row, values in rows.items():
            assert list(values) == list(TEST_SETS), (task, row)
            assert all(isinstance(v, float) for v in values.values()), (task, row)
    assert all(0 <= v <= 1 for row in results['det'].values() for v in row.values())
    assert all(0 <= v <= 100 for row in results['seg'].values() for v in row.values())
    assert (out / 'study_results.png').stat().st_size > 0
    table = (out / 'study_results.txt').read_text()
    assert all(row in table for row in ROWS)
    runs = json.loads((out / 'study_runs.json').read_text())['runs']
    assert len(runs) == 24 and sum(run['test_set'] is None for run in runs) == 4
    printed = capsys.readouterr().out
    assert '[24/24]' in printed and 'mIoU' in printed and 'Iter(test)' not in printed


def test_missing_data_is_named(tmp_path, monkeypatch, capsys):
    """Run outside the repository root (no data/demo_shapes): exit status
    2 and a message naming the missing file and how to create the data."""
    monkeypatch.chdir(tmp_path)
    study = load_tool('analysis/downstream_study')
    try:
        assert study.main(['--tasks', 'seg', '--out-dir', 'out']) == 2
    finally:
        del sys.modules['analysis/downstream_study']
    error = capsys.readouterr().err
    assert 'data/demo_shapes/' in error and 'tools/make_demo_data.py' in error
