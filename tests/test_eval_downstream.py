"""Tests of tools/eval_downstream.py on a tiny generated set with tiny
untrained models and a tiny derainer checkpoint, run in-process."""
import csv
import json
import sys
from pathlib import Path

import cv2
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from cpra_mm.apis.downstream_report import average_draws, format_table, summarise
from cpra_mm.apis.downstream_task import TASKS
from cpra_mm.models import CPRAformer
from cpra_mm.utils.derainer_checkpoint import CheckpointMismatchError
from tool_loading import load_tool

ROOT = Path(__file__).resolve().parents[1]

DET_CONFIG = """
_base_ = ['{base}']
data_root = '{root}/'
model = dict(
    backbone=dict(base_channels=8),
    neck=dict(in_channels=[16, 32, 64], out_channels=16),
    bbox_head=dict(in_channels=16, feat_channels=16, stacked_convs=1,
                   norm_cfg=dict(type='GN', num_groups=4, requires_grad=True)))
test_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
"""

SEG_CONFIG = """
_base_ = ['{base}']
data_root = '{root}/'
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(stem_channels=8, base_channels=8),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=8),
    decode_head=dict(in_channels=[8, 8, 8, 8], channels=8))
test_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
"""




@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """One intra-op thread: on a busy 2-core machine the detector and the
    derainer run several times slower with two contending threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def tool():
    yield load_tool('eval_downstream')
    del sys.modules['eval_downstream']


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A 4-image 64 x 64 val set, tiny det/seg configs with untrained
    checkpoints, and a tiny derainer checkpoint with preset/layout meta."""
    tmp = tmp_path_factory.mktemp('downstream')
    make_demo_data = load_tool('make_demo_data')
    data = tmp / 'shapes'
    assert make_demo_data.main(['--out', str(data), '--num-train', '0', '--num-val', '4',
                                '--size', '64']) == 0
    del sys.modules['make_demo_data']
    paths = {'data': data}
    for task, text, scope, model_name in (('det', DET_CONFIG, 'mmdet', 'shapes_detector'),
                                          ('seg', SEG_CONFIG, 'mmseg', 'shapes_segmenter')):
        base = ROOT / 'configs' / 'demo' / f'{model_name}.py'
        config = tmp / f'tiny_{task}.py'
        config.write_text(text.format(base=base.as_posix(), root=data.as_posix()))
        cfg = Config.fromfile(str(config))
        init_default_scope(scope)
        registry = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
        torch.manual_seed(0)
        model = registry.build(cfg.model)
        checkpoint = tmp / f'tiny_{task}.pth'
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
        paths[task] = (config, checkpoint)
    derainer = CPRAformer(preset='tiny', layout='corrected')
    paths['derainer'] = tmp / 'derainer_tiny.pth'
    torch.save({'state_dict': derainer.state_dict(),
                'meta': {'preset': 'tiny', 'layout': 'corrected'}}, paths['derainer'])
    return paths


def _check_png(path: Path, min_side: int) -> tuple:
    image = cv2.imread(str(path))
    assert image is not None, f'{path} is not a readable image'
    assert min(image.shape[:2]) >= min_side and max(image.shape[:2]) < 5000
    assert image.std() > 1, f'{path} is blank'
    return image.shape


def test_det_three_modes(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['det']
    out = tmp_path / 'det'
    assert tool.main([str(config), str(checkpoint), '--derainer-checkpoint',
                      str(setup['derainer']), '--rain-seed', '3', '--out-dir', str(out),
                      '--num-vis', '2', '--per-image', '--per-image-score-thr', '1']) == 0
    printed = capsys.readouterr().out
    for word in ('mAP', 'AP50', 'AP75', 'clean', 'rainy', 'derained', 'gain', 'recovered'):
        assert word in printed
    report = json.loads((out / 'downstream_results.json').read_text())
    assert report['task'] == 'det'
    assert report['derainer'] == {'type': 'CPRAformer', 'preset': 'tiny', 'layout': 'corrected'}
    assert report['rain'] == {'seed': 3}
    assert set(report['metrics']) == {'clean', 'rainy', 'derained'}
    for mode in ('clean', 'rainy', 'derained'):
        assert set(report['metrics'][mode]) == {'mAP', 'AP50', 'AP75'}
        assert 'coco/bbox_mAP' in report['all_metrics'][mode]
    for metric in ('mAP', 'AP50', 'AP75'):
        expected = report['metrics']['derained'][metric] - report['metrics']['rainy'][metric]
        assert report['gain'][metric] == pytest.approx(expected)
        assert metric in report['recovered']
    _check_png(out / 'downstream_results.png', 200)
    height, width, _ = _check_png(out / 'samples.png', 200)
    assert width > height, 'expected 3 columns and 2 rows'
    assert (out / 'derained').is_dir()
    # no prediction scores 1, so each image's errors are its missed boxes
    annotations = json.loads(
        (setup['data'] / 'annotations' / 'instances_val.json').read_text())
    boxes = {image['file_name']: sum(a['image_id'] == image['id']
                                     for a in annotations['annotations'])
             for image in annotations['images']}
    with open(out / 'per_image_errors.csv') as file:
        rows = list(csv.DictReader(file))
    assert {row['image']: int(row['rainy']) for row in rows} == {
        name.split('/')[-1]: count for name, count in boxes.items()}
    assert all(int(row['clean']) == int(row['derained']) == int(row['rainy']) for row in rows)


def test_seg_rainy_dir_with_preset(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['seg']
    rainy = tmp_path / 'rainy'
    rainy.mkdir()
    for image in (setup['data'] / 'images' / 'val').glob('*.png'):
        pixels = cv2.imread(str(image))
        pixels[::4] = 255
        cv2.imwrite(str(rainy / image.name), pixels)
    out = tmp_path / 'seg'
    assert tool.main([str(config), str(checkpoint), '--derainer-checkpoint',
                      str(setup['derainer']), '--derainer-preset', 'tiny',
                      '--derainer-layout', 'corrected', '--rainy-dir', str(rainy),
                      '--out-dir', str(out), '--num-vis', '3']) == 0
    printed = capsys.readouterr().out
    for word in ('mIoU', 'mAcc', 'aAcc', 'gain', 'recovered'):
        assert word in printed
    report = json.loads((out / 'downstream_results.json').read_text())
    assert report['task'] == 'seg'
    assert report['rain'] == {'rainy_dir': str(rainy)}
    for mode in ('clean', 'rainy', 'derained'):
        assert set(report['metrics'][mode]) == {'mIoU', 'mAcc', 'aAcc'}
        assert 0 <= report['metrics'][mode]['aAcc'] <= 100
    assert set(report['gain']) == {'mIoU', 'mAcc', 'aAcc'}
    _check_png(out / 'downstream_results.png', 200)
    height, width, _ = _check_png(out / 'samples.png', 200)
    assert height > width, 'expected 3 rows of 3 columns (square panels)'


def test_several_rain_seeds_average_the_draws(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['seg']
    out = tmp_path / 'draws'
    assert tool.main([str(config), str(checkpoint), '--derainer-checkpoint',
                      str(setup['derainer']), '--rain-seed', '3', '4', '--out-dir', str(out),
                      '--num-vis', '0', '--per-image']) == 0
    printed = capsys.readouterr().out
    assert 'seed 3' in printed and 'seed 4' in printed
    assert 'per-image errors (wrong pixels)' in printed
    report = json.loads((out / 'downstream_results.json').read_text())
    assert report['rain'] == {'seeds': [3, 4]}
    assert [draw['seed'] for draw in report['draws']] == [3, 4]
    assert set(report['all_metrics']) == {'clean', 'rainy_seed3', 'rainy_seed4',
                                          'derained_seed3', 'derained_seed4'}
    for name in ('clean', 'rainy_seed3', 'rainy_seed4', 'derained_seed3', 'derained_seed4'):
        assert (out / name).is_dir()
    assert not (out / 'rainy').exists()
    for mode in ('rainy', 'derained'):
        for metric in ('mIoU', 'mAcc', 'aAcc'):
            per_draw = [draw['metrics'][mode][metric] for draw in report['draws']]
            assert report['metrics'][mode][metric] == pytest.approx(sum(per_draw) / 2)
    for draw in report['draws']:
        assert draw['metrics']['clean'] == report['metrics']['clean']
        assert draw['gain']['mIoU'] == pytest.approx(
            draw['metrics']['derained']['mIoU'] - draw['metrics']['rainy']['mIoU'])
    assert report['gain']['mIoU'] == pytest.approx(
        sum(draw['gain']['mIoU'] for draw in report['draws']) / 2)
    # per-image wrong pixels, summed, are what the evaluator's aAcc misses
    with open(out / 'per_image_errors.csv') as file:
        rows = list(csv.DictReader(file))
    assert sorted(row['image'] for row in rows) == sorted(
        path.name for path in (setup['data'] / 'images' / 'val').glob('*.png'))
    labelled = sum(int((cv2.imread(str(path), cv2.IMREAD_UNCHANGED) != 255).sum())
                   for path in (setup['data'] / 'masks' / 'val').glob('*.png'))
    for name in ('clean', 'rainy_seed3', 'derained_seed4'):
        wrong = sum(int(row[name]) for row in rows)
        assert 100 * (1 - wrong / labelled) == pytest.approx(
            report['all_metrics'][name]['aAcc'], abs=0.01)
    for row in rows:
        assert int(row['change']) == (int(row['derained_seed3']) + int(row['derained_seed4'])
                                      - int(row['rainy_seed3']) - int(row['rainy_seed4']))


def test_rain_seeds_must_be_distinct(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['seg']
    for seeds in (['1', '1'], ['-2']):
        with pytest.raises(SystemExit):
            tool.main([str(config), str(checkpoint), '--modes', 'rainy', '--rain-seed', *seeds,
                       '--out-dir', str(tmp_path)])
        assert '--rain-seed' in capsys.readouterr().err


def test_rainy_only_without_derainer(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['seg']
    out = tmp_path / 'rainy_only'
    assert tool.main([str(config), str(checkpoint), '--modes', 'rainy', 'clean',
                      '--out-dir', str(out), '--num-vis', '0']) == 0
    report = json.loads((out / 'downstream_results.json').read_text())
    assert set(report['metrics']) == {'clean', 'rainy'}
    assert report['gain']['mIoU'] is None and report['recovered']['mIoU'] is None
    assert not (out / 'samples.png').exists()
    assert 'n/a' in capsys.readouterr().out


def test_errors_name_the_argument(tool, setup, tmp_path, capsys):
    config, checkpoint = setup['det']
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--out-dir', str(tmp_path)])
    assert '--derainer-checkpoint' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--out-dir', str(tmp_path),
                   '--derainer-checkpoint', str(tmp_path / 'missing.pth')])
    assert 'missing.pth' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--out-dir', str(tmp_path), '--modes', 'clean',
                   '--rainy-dir', str(tmp_path / 'nowhere')])
    assert '--rainy-dir' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--out-dir', str(tmp_path), '--modes', 'clean',
                   '--per-image', '--per-image-score-thr', '1.5'])
    assert '--per-image-score-thr' in capsys.readouterr().err


def test_summary_and_table():
    task = TASKS['mmseg']
    results = {'clean': {'mIoU': 80.0, 'mAcc': 90.0, 'aAcc': 95.0},
               'rainy': {'mIoU': 60.0, 'mAcc': 90.0, 'aAcc': 85.0},
               'derained': {'mIoU': 70.0, 'mAcc': 89.0, 'aAcc': 95.0}}
    summary = summarise(results, task)
    assert summary['gain'] == {'mIoU': 10.0, 'mAcc': -1.0, 'aAcc': 10.0}
    assert summary['recovered'] == {'mIoU': 0.5, 'mAcc': None, 'aAcc': 1.0}
    table = format_table(results, summary, task)
    assert '50.0%' in table and 'n/a' in table and '+10.00' in table
    draw_rainy = {'mIoU': 70.0, 'mAcc': 88.0, 'aAcc': 85.0}
    draw = summarise(dict(results, rainy=draw_rainy), task)
    with_draws = format_table(results, summary, task, {7: draw})
    assert with_draws.startswith(table)
    last = with_draws.splitlines()[-1].split()
    assert last == ['seed', '7', '0.0%', '50.0%', '100.0%']


def test_average_draws():
    draws = {0: {'rainy': {'mIoU': 60.0}, 'derained': {'mIoU': 70.0}},
             1: {'rainy': {'mIoU': 50.0}, 'derained': {'mIoU': 66.0}}}
    assert average_draws(draws) == {'rainy': {'mIoU': 55.0}, 'derained': {'mIoU': 68.0}}


def test_task_checkpoint_must_fit(tool, setup, tmp_path):
    config, _ = setup['det']
    _, seg_checkpoint = setup['seg']
    with pytest.raises(CheckpointMismatchError, match='tiny_seg.pth does not fit'):
        tool.main([str(config), str(seg_checkpoint), '--modes', 'clean',
                   '--out-dir', str(tmp_path), '--num-vis', '0'])


def test_export_weights_keeps_state_dict_and_meta(setup, tmp_path, capsys):
    export_weights = load_tool('export_weights')
    _, checkpoint = setup['seg']
    state = torch.load(checkpoint, weights_only=True)['state_dict']
    training = tmp_path / 'training.pth'
    torch.save({'state_dict': state, 'optimizer': {'state': {0: torch.zeros(1000)}},
                'message_hub': {}, 'meta': {'epoch': 3, 'hook_msgs': {'best': 1.0},
                                            'dataset_meta': {'classes': ('a', 'b')}}},
               training)
    out = tmp_path / 'weights' / 'exported.pth'
    assert export_weights.main([str(training), str(out)]) == 0
    assert 'exported.pth' in capsys.readouterr().out
    exported = torch.load(out, weights_only=True)
    assert set(exported) == {'state_dict', 'meta'}
    assert exported['meta'] == {'epoch': 3, 'dataset_meta': {'classes': ('a', 'b')}}
    assert set(exported['state_dict']) == set(state)
    del sys.modules['export_weights']
