"""tools/dataset_converters/mine_hard_dry_photos.py: repeats the training
photographs a dry scan found most altered, never a validation one."""
import json

import pytest

from tool_loading import load_tool

SCAN = {'dry': {'photographs': 4, 'passthrough': [
    {'image': 'a/brooms.png', 'psnr': 25.0},
    {'image': 'b/val_photo.png', 'psnr': 27.0},
    {'image': 'a/hair.png', 'psnr': 47.5},
    {'image': 'c/sky.png', 'psnr': 63.0},
]}}


@pytest.fixture(scope='module')
def tool():
    return load_tool('mine_hard_dry_photos', 'dataset_converters')


@pytest.fixture
def inputs(tmp_path):
    scan = tmp_path / 'scan.json'
    scan.write_text(json.dumps(SCAN))
    train = tmp_path / 'train.txt'
    train.write_text('a/brooms.png\na/hair.png\nc/sky.png\n')
    return scan, train


def test_repeats_each_training_photograph_once_per_step_below_the_bound(tool, inputs, tmp_path,
                                                                        capsys):
    scan, train = inputs
    out = tmp_path / 'meta' / 'hard.txt'
    assert tool.main([str(scan), '--train-list', str(train), '--out', str(out)]) == 0
    lines = out.read_text().split()
    assert lines == ['a/brooms.png'] * 13 + ['a/hair.png'] * 2
    assert '2 photographs below 50 dB, 15 lines' in capsys.readouterr().out


def test_bound_and_step_are_options(tool, inputs, tmp_path):
    scan, train = inputs
    out = tmp_path / 'hard.txt'
    tool.main([str(scan), '--train-list', str(train), '--out', str(out), '--below', '30',
               '--step', '1'])
    assert out.read_text().split() == ['a/brooms.png'] * 5


@pytest.mark.parametrize('problem, message', [
    ('not-a-scan', 'is not a dry-scan report'),
    ('missing-scan', 'not found'),
    ('nothing-below', 'no training photograph'),
    ('overwrite', 'would overwrite an input'),
])
def test_bad_input_is_named(tool, inputs, tmp_path, capsys, problem, message):
    scan, train = inputs
    out, extra = tmp_path / 'hard.txt', []
    if problem == 'not-a-scan':
        scan.write_text('{"sweep": []}')
    elif problem == 'missing-scan':
        scan = tmp_path / 'absent.json'
    elif problem == 'nothing-below':
        extra = ['--below', '20']
    else:
        out = train
    with pytest.raises(SystemExit):
        tool.main([str(scan), '--train-list', str(train), '--out', str(out), *extra])
    assert message in capsys.readouterr().err
    assert train.read_text() == 'a/brooms.png\na/hair.png\nc/sky.png\n'
