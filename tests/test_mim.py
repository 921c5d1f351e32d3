"""mim: the model index lists every config with its metafile entry, and
``mim search``, ``mim train`` and ``mim test`` work on an installed cpra_mm
(the wheel, installed on its own; see ``wheel_build``), offline, with the
openmim install this project makes (``--no-deps`` plus model-index,
tabulate and colorama)."""
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np
import pytest
import yaml

from cpra_mm.utils.shipped_weights import BUILTIN_DERAINER
from photos_run import CHECKPOINT_NAME, PHOTOS_CONFIG, photos_cfg_options, write_photos
from wheel_build import REPO, InstalledWheel, installed_wheel, offline_env

pytest.importorskip('mim')

MIM_TIMEOUT_S = 600
METAFILE_KEYS = {'Name', 'In Collection', 'Config', 'Metadata', 'Results', 'Weights'}


@pytest.fixture(scope='module')
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    return installed_wheel(tmp_path_factory)


def _metafiles() -> List[Path]:
    index = yaml.safe_load((REPO / 'model-index.yml').read_text())
    return [REPO / path for path in index['Import']]


def _run_mim(args: List[str], installed: InstalledWheel, cwd: Path) -> str:
    """Run ``python -m mim ARGS`` against the installed wheel; return its
    output (stdout and stderr)."""
    result = subprocess.run([sys.executable, '-m', 'mim', *args], cwd=cwd,
                            env=offline_env(installed.site), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=MIM_TIMEOUT_S)
    assert result.returncode == 0, result.stdout[-4000:]
    return result.stdout


def test_model_index_has_a_metafile_per_config_folder():
    folders = {path.parent for path in (REPO / 'configs').glob('*/*.py')}
    assert {path.parent for path in _metafiles()} == folders
    assert all(path.is_file() for path in _metafiles())


@pytest.mark.parametrize('metafile', _metafiles(), ids=lambda p: p.parent.name)
def test_metafile_lists_every_config(metafile: Path):
    meta = yaml.safe_load(metafile.read_text())
    collections = {collection['Name'] for collection in meta['Collections']}
    for collection in meta['Collections']:
        assert (REPO / collection['README']).is_file()
    models: List[Dict] = meta['Models']
    configs = [model['Config'] for model in models]
    assert sorted(configs) == sorted(
        path.relative_to(REPO).as_posix() for path in metafile.parent.glob('*.py'))
    for model in models:
        assert set(model) <= METAFILE_KEYS, model['Name']
        assert model['Name'] == Path(model['Config']).stem
        assert model['In Collection'] in collections
        assert model.get('Results', None) != [], 'leave Results out when none were measured'
        for result in model.get('Results', []):
            assert result['Task'] and result['Dataset'] and result['Metrics']
        if 'Weights' in model:
            # paths inside the installed package; no download location exists
            assert (REPO / 'cpra_mm' / model['Weights']).is_file(), model['Weights']


def test_builtin_photos_entry_has_its_measured_results():
    meta = yaml.safe_load((REPO / 'configs' / 'cpraformer' / 'metafile.yml').read_text())
    model = next(m for m in meta['Models'] if m['Name'] == PHOTOS_CONFIG.stem)
    assert model['Results'] == [{'Dataset': 'photos-test', 'Task': 'Deraining',
                                 'Metrics': {'PSNR (Y)': 38.78, 'SSIM (Y)': 0.983}}]


def test_the_builtin_derainer_is_listed_with_its_config_and_results():
    """The metafile entry of the config that trained the shipped derainer
    names its weights and has measured results."""
    meta = yaml.safe_load((REPO / 'configs' / 'cpraformer' / 'metafile.yml').read_text())
    entries = [m for m in meta['Models'] if m.get('Weights') == f'weights/{BUILTIN_DERAINER}']
    assert len(entries) == 1 and entries[0]['Results']


def test_mim_search_reads_the_installed_model_index(installed: InstalledWheel, tmp_path: Path):
    output = _run_mim(['search', 'cpra_mm', '--model', 'cpraformer'], installed, tmp_path)
    assert f'config id: {PHOTOS_CONFIG.stem}' in output
    assert 'photos-test/psnr_(y)' in output and '38.78' in output


def test_mim_train_then_test(installed: InstalledWheel, tmp_path: Path):
    options = photos_cfg_options(write_photos(tmp_path / 'photos'))
    mim_dir = installed.site / 'cpra_mm' / '.mim'

    train = _run_mim(['train', 'cpra_mm', PHOTOS_CONFIG.name, '--work-dir', 'work',
                      '--cfg-options', *options], installed, tmp_path)
    assert str(mim_dir / 'tools' / 'train.py') in train
    assert str(mim_dir / 'configs' / 'cpraformer' / PHOTOS_CONFIG.name) in train
    assert 'Training finished successfully' in train
    checkpoint = tmp_path / 'work' / CHECKPOINT_NAME
    assert checkpoint.is_file()

    test = _run_mim(['test', 'cpra_mm', PHOTOS_CONFIG.name, '--checkpoint', str(checkpoint),
                     '--work-dir', 'work_test', '--out', 'metrics.json',
                     '--cfg-options', *options], installed, tmp_path)
    assert str(mim_dir / 'tools' / 'test.py') in test
    metrics = json.loads((tmp_path / 'metrics.json').read_text())
    assert set(metrics) == {'photos-test/PSNR', 'photos-test/SSIM'}
    assert 0 < metrics['photos-test/PSNR'] < 100 and 0 < metrics['photos-test/SSIM'] <= 1


def test_mim_run_derains_with_the_packaged_tool(installed: InstalledWheel, tmp_path: Path):
    rainy = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'rainy.png'), rainy)
    output = _run_mim(['run', 'cpra_mm', 'derain', 'rainy.png', '--out-dir', 'out',
                       '--device', 'cpu'], installed, tmp_path)
    assert str(installed.site / 'cpra_mm' / '.mim' / 'tools' / 'derain.py') in output
    derained = cv2.imread(str(tmp_path / 'out' / 'rainy.png'))
    assert derained is not None and derained.shape == rainy.shape
