"""``cpra_mm.apis.rain_pixel_split`` and
tools/analysis/downstream_gap_attribution.py (on the tiny generated set and
untrained models of tests/test_eval_downstream.py)."""
import json
import sys

import cv2
import numpy as np
import pytest

from cpra_mm.apis.rain_pixel_split import (rain_mask, split_by_rain, streak_residue,
                                           summarise_residue)
from test_eval_downstream import one_thread, setup  # noqa: F401  (fixtures)
from tool_loading import load_tool


def _scene():
    """A 4 x 4 clean image, one streak column brightened by 60 levels (one
    channel by only 5 in another row), and a derainer that leaves a quarter
    of the streak and darkens one dry pixel."""
    clean = np.full((4, 4, 3), 100, np.uint8)
    rainy = clean.copy()
    rainy[:, 1] += 60
    rainy[3, 3, 0] += 5
    derained = clean.copy()
    derained[:, 1] += 15
    derained[0, 3] -= 8
    return clean, rainy, derained


def test_rain_mask_thresholds_the_largest_channel_change():
    clean, rainy, _ = _scene()
    mask = rain_mask(clean, rainy, threshold=10)
    assert mask[:, 1].all() and mask.sum() == 4, 'a 5-level change stays dry'
    assert rain_mask(clean, rainy, threshold=4).sum() == 5


def test_split_by_rain_keeps_each_part_of_the_derained_image():
    clean, rainy, derained = _scene()
    on_rain, off_rain = split_by_rain(clean, rainy, derained, threshold=10)
    assert (on_rain[:, 1] == 115).all() and (on_rain[0, 3] == 100).all()
    assert (off_rain[:, 1] == 100).all() and (off_rain[0, 3] == 92).all()
    assert on_rain.dtype == np.uint8 and on_rain.shape == clean.shape


def test_split_by_rain_rejects_mismatched_images():
    clean, rainy, derained = _scene()
    with pytest.raises(ValueError, match='differ in shape'):
        split_by_rain(clean, rainy, derained[:2], threshold=10)
    with pytest.raises(ValueError, match='derained must be an H x W x C uint8'):
        split_by_rain(clean, rainy, derained.astype(np.float32), threshold=10)


def test_streak_residue_measures_the_share_left():
    clean, rainy, derained = _scene()
    rows = summarise_residue(streak_residue(clean, rainy, derained))
    by_bin = {(row['low'], row['high']): row for row in rows}
    streak = by_bin[(50, 100)]
    assert streak['share'] == 1.0, 'the 5-level change is below the first bin'
    assert streak['rain'] == 60 and streak['residue'] == 15 and streak['left'] == 0.25
    assert by_bin[(10, 25)]['rain'] is None and by_bin[(10, 25)]['share'] == 0.0


@pytest.fixture(scope='module')
def tool():
    yield load_tool('downstream_gap_attribution', 'analysis')
    del sys.modules['downstream_gap_attribution']


def test_tool_writes_the_sets_and_both_tables(tool, setup, tmp_path, capsys):  # noqa: F811
    config, checkpoint = setup['seg']
    out = tmp_path / 'out'
    assert tool.main([str(config), str(checkpoint), '--derainer-checkpoint',
                      str(setup['derainer']), '--derain-one-pass', '--rain-seed', '3',
                      '--references', 'rain-left:0.5', 'blur:1', '--out-dir', str(out)]) == 0
    report = (out / 'gap_attribution.txt').read_text()
    assert report in capsys.readouterr().out
    for name in ('clean', 'rainy', 'derained', 'derained_on_rain', 'derained_off_rain'):
        assert any(line.startswith(name + ' ') for line in report.splitlines()), name
    assert 'rain left on the pixel channels' in report and '50-100' in report
    lines = report.splitlines()
    heading = lines.index(tool.REFERENCES_HEADING)
    assert [line.split()[0] for line in lines[heading + 1:heading + 3]] == [
        'rain_left_0.5', 'blur_1px']
    result = json.loads((out / 'gap_attribution.json').read_text())
    assert set(result['metrics']) == {'clean', 'rainy', 'derained', 'derained_on_rain',
                                      'derained_off_rain', 'rain_left_0.5', 'blur_1px'}
    assert result['references'][0] == dict(kind='rain-left', value=0.5, name='rain_left_0.5')
    assert result['rain_seed'] == 3 and result['flip_ensemble'] is False
    names = sorted(path.name for path in (setup['data'] / 'images' / 'val').iterdir())
    images = {}
    for folder in ('rainy', 'derained', 'derained_on_rain', 'derained_off_rain',
                   'rain_left_0.5', 'blur_1px'):
        assert sorted(path.name for path in (out / 'images' / folder).iterdir()) == names
        images[folder] = cv2.imread(str(out / 'images' / folder / names[0]))
    clean = cv2.imread(str(setup['data'] / 'images' / 'val' / names[0]))
    halfway = np.rint((clean.astype(float) + images['rainy']) / 2)
    assert np.abs(images['rain_left_0.5'] - halfway).max() <= 0.5, 'rounding ties either way'
    covered = rain_mask(clean, images['rainy'], threshold=10)
    assert covered.any() and not covered.all(), 'the test rain covers part of the image'
    assert (images['derained_on_rain'][covered] == images['derained'][covered]).all()
    assert (images['derained_on_rain'][~covered] == clean[~covered]).all()
    assert (images['derained_off_rain'][covered] == clean[covered]).all()
    assert (images['derained_off_rain'][~covered] == images['derained'][~covered]).all()


def test_tool_errors_name_the_argument(tool, setup, tmp_path, capsys):  # noqa: F811
    config, checkpoint = setup['seg']
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--derainer-checkpoint',
                   str(tmp_path / 'missing.pth'), '--out-dir', str(tmp_path)])
    assert '--derainer-checkpoint: no such file' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--threshold', '300',
                   '--out-dir', str(tmp_path)])
    assert '--threshold must be in [0, 255)' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--references', 'blur:0.5', 'blur:-1',
                   '--out-dir', str(tmp_path)])
    assert "--references: reference 'blur:-1': blur: the value must be > 0" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([str(config), str(checkpoint), '--references', 'blur:0.5', 'blur:.5',
                   '--out-dir', str(tmp_path)])
    assert '--references: a set is given twice' in capsys.readouterr().err


def test_report_gives_each_set_its_share_of_the_gap(tool):
    scores = dict(clean=0.8, rainy=0.6, derained=0.75, derained_on_rain=0.76,
                  derained_off_rain=0.79)
    clean, rainy, derained = _scene()
    residue = summarise_residue(streak_residue(clean, rainy, derained))
    lines = tool.format_report('title', 'mAP', 1.0, scores, residue, 10).splitlines()
    shares = {line.split()[0]: line.split()[2:] for line in lines[4:9]}
    assert shares == {'clean': [], 'rainy': [], 'derained': ['75.0', '%'],
                      'derained_on_rain': ['80.0', '%'], 'derained_off_rain': ['95.0', '%']}
    with_references = tool.format_report('t', 'mAP', 1.0, dict(scores, blur_1px=0.7,
                                                                jpeg_q90=0.65), residue, 10)
    lines = with_references.splitlines()
    assert lines[9] == tool.REFERENCES_HEADING and lines.count(tool.REFERENCES_HEADING) == 1
    assert lines[10].split()[2:] == ['50.0', '%'] and lines[11].split()[2:] == ['25.0', '%']
    flat = tool.format_report('t', 'mAP', 1.0, dict(scores, rainy=0.8), residue, 10)
    assert '%' not in flat.split('levels')[0], 'no share without a gap'
