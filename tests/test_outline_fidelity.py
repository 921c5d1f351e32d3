"""tools/analysis/outline_fidelity.py (on the tiny generated set and untrained
derainer of tests/test_eval_downstream.py) and
``cpra_mm.apis.downstream_modes.rain_free_test_set``."""
import json
import shutil
import sys

import cv2
import numpy as np
import pytest

from cpra_mm.apis.downstream_modes import mode_config, rain_free_test_set
from test_eval_downstream import one_thread, setup  # noqa: F401  (fixtures)
from tool_loading import load_tool


@pytest.fixture(scope='module')
def tool():
    yield load_tool('outline_fidelity', 'analysis')
    del sys.modules['outline_fidelity']


def test_outline_mask_marks_both_sides_of_each_boundary(tool):
    labels = np.zeros((6, 6), np.uint8)
    labels[2:4, 2:4] = 3
    expected = np.zeros((6, 6), bool)
    expected[1:5, 1:5] = True
    assert (tool.outline_mask(labels) == expected).all()
    assert not tool.outline_mask(np.full((5, 5), 2, np.uint8)).any()


def test_statistics_pool_errors_on_and_off_the_outline(tool):
    clean = np.zeros((8, 8, 3), np.uint8)
    clean[:, 4:] = 200
    outline = np.zeros((8, 8), bool)
    outline[:, 3:5] = True
    same = tool.OutlineStatistics()
    same.add(clean, clean, outline)
    gradient = tool.sobel_magnitude(clean)[outline].sum()
    assert gradient > 0
    result = same.summary(gradient)
    assert result['sharpness'] == pytest.approx(100.0)
    assert result['outline_psnr'] > 100 and result['elsewhere_psnr'] > 100
    shifted = clean.copy()
    shifted[~outline] += 10
    statistics = tool.OutlineStatistics()
    statistics.add(clean, shifted, outline)
    statistics.add(clean, clean, outline)
    result = statistics.summary(2 * gradient)
    assert result['elsewhere_psnr'] == pytest.approx(10 * np.log10(2 * 255**2 / 10**2))
    assert result['outline_psnr'] > 100
    soft = tool.OutlineStatistics()
    soft.add(clean, cv2.blur(clean, (3, 1)), outline)
    result = soft.summary(gradient)
    # the blur spreads the 0 -> 200 step over 0, 67, 133, 200: the central
    # differences on the outline see 133 of its 200 levels on each side
    assert result['sharpness'] == pytest.approx(100 * 133 / 200)
    assert result['outline_psnr'] < 30


def test_rain_free_test_set_returns_clean_images_and_the_rain(setup):  # noqa: F811
    config, _ = setup['seg']
    cfg = mode_config(str(config), 'rainy', rain_seed=5)
    dataset, add_rain, image_root = rain_free_test_set(cfg)
    loaded = dataset[0]
    on_disk = cv2.imread(loaded['img_path'])
    assert (loaded['img'] == on_disk).all(), 'the items are the clean files'
    assert loaded['img_path'].startswith(image_root) and 'seg_map_path' in loaded
    rainy = add_rain(dict(loaded, img=loaded['img'].copy()))['img']
    again = add_rain(dict(loaded, img=loaded['img'].copy()))['img']
    assert (rainy != loaded['img']).any() and (rainy == again).all()
    with pytest.raises(ValueError, match='no AddRain'):
        rain_free_test_set(mode_config(str(config), 'clean'))


def test_tool_compares_derainers_on_the_outlines(tool, setup, tmp_path, capsys):  # noqa: F811
    config, _ = setup['seg']
    second = tmp_path / 'other.pth'
    shutil.copy(setup['derainer'], second)
    out = tmp_path / 'out'
    assert tool.main([str(config), '--derainer-checkpoint', str(setup['derainer']), str(second),
                      '--derain-one-pass', '--rain-seed', '2', '--out-dir', str(out)]) == 0
    report = (out / 'outline_fidelity.txt').read_text()
    assert report in capsys.readouterr().out
    rows = [line.split() for line in report.splitlines()
            if line.startswith(('rainy ', 'derainer_tiny.pth ', 'other.pth '))]
    assert [row[0] for row in rows] == ['rainy', 'derainer_tiny.pth', 'other.pth']
    assert rows[1][1:] == rows[2][1:], 'the same weights give the same figures'
    result = json.loads((out / 'outline_fidelity.json').read_text())
    assert list(result['results']) == ['rainy', 'derainer_tiny.pth', 'other.pth']
    assert result['rain_seed'] == 2 and result['flip_ensemble'] is False
    rainy = result['results']['rainy']
    assert 0 < rainy['outline_psnr'] < 60 and 0 < rainy['elsewhere_psnr'] < 60
    assert rainy['sharpness'] > 0


def test_tool_errors_name_the_argument(tool, setup, tmp_path, capsys):  # noqa: F811
    seg_config, _ = setup['seg']
    det_config, _ = setup['det']
    with pytest.raises(SystemExit):
        tool.main([str(seg_config), '--derainer-checkpoint', str(tmp_path / 'missing.pth'),
                   '--out-dir', str(tmp_path)])
    assert '--derainer-checkpoint: no such file' in capsys.readouterr().err
    with pytest.raises(SystemExit, match='a segmentation config is needed'):
        tool.main([str(det_config), '--derainer-checkpoint', str(setup['derainer']),
                   '--out-dir', str(tmp_path)])
