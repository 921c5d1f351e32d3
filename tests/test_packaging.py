"""pip: the wheel holds what an installed cpra_mm needs (configs, tools and
model index under ``cpra_mm/.mim``, the built-in weights, the ``cpra-derain``
console script); ``pip install .`` and ``pip install -e .`` work offline
with ``--no-build-isolation``; an installed cpra_mm resolves ``cpra_mm::``
config paths and derains from the console script."""
import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import List

import cv2
import numpy as np
import pytest

from cpra_mm.utils.shipped_weights import BUILTIN_DERAINER
from photos_run import PHOTOS_CONFIG
from wheel_build import (REPO, InstalledWheel, copy_source_tree, installed_wheel, offline_env,
                         run_pip, source_files)

MIM_ENTRIES = ('configs', 'tools', 'model-index.yml')
SUBPROCESS_TIMEOUT_S = 300


@pytest.fixture(scope='module')
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    return installed_wheel(tmp_path_factory)


def _wheel_names(wheel: Path) -> List[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _read_from_wheel(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode()


def test_wheel_carries_mim_files_and_weights(installed: InstalledWheel):
    names = set(_wheel_names(installed.wheel))
    expected = {f'cpra_mm/.mim/{path.as_posix()}' for path in source_files()
                if path.parts[0] in MIM_ENTRIES}
    expected |= {f'cpra_mm/{path.relative_to(REPO / "cpra_mm").as_posix()}'
                 for path in (REPO / 'cpra_mm' / 'weights').glob('*.pth')}
    assert 'cpra_mm/.mim/model-index.yml' in expected
    assert {'cpra_mm/.mim/tools/train.py', 'cpra_mm/.mim/tools/test.py',
            'cpra_mm/.mim/tools/derain.py',
            f'cpra_mm/.mim/configs/cpraformer/{PHOTOS_CONFIG.name}',
            f'cpra_mm/weights/{BUILTIN_DERAINER}'} <= expected
    assert expected <= names, sorted(expected - names)
    assert 'cpra_mm/cli.py' in names
    assert not [name for name in names if '__pycache__' in name or name.endswith('.pyc')]


def test_wheel_metadata(installed: InstalledWheel):
    dist_info = next(name.split('/')[0] for name in _wheel_names(installed.wheel)
                     if name.endswith('.dist-info/METADATA'))
    entry_points = _read_from_wheel(installed.wheel, f'{dist_info}/entry_points.txt')
    assert 'cpra-derain = cpra_mm.cli:derain' in entry_points
    metadata = Parser().parsestr(_read_from_wheel(installed.wheel, f'{dist_info}/METADATA'))
    assert metadata['License'] == 'Apache-2.0'
    assert 'Apache License' in _read_from_wheel(installed.wheel, f'{dist_info}/licenses/LICENSE')
    requires = metadata.get_all('Requires-Dist')
    # mmcv as OpenMMLab packages declare it: only through the `mim` extra
    mmcv = [line for line in requires if line.startswith('mmcv')]
    assert mmcv and all('extra == "mim"' in line or 'extra == "all"' in line for line in mmcv)
    extras = set(metadata.get_all('Provides-Extra'))
    assert {'mim', 'edit', 'det', 'seg', 'all'} <= extras
    edit = [line.split(';')[0] for line in requires if 'extra == "edit"' in line]
    assert {'numpy<2', 'diffusers==0.24.0', 'transformers==4.46.3',
            'huggingface_hub==0.25.2', 'tokenizers<0.21'} <= set(edit)
    assert not [line for line in edit if line.startswith('mmagic')], 'mmagic goes in with --no-deps'
    seg = {line.split(';')[0] for line in requires if 'extra == "seg"' in line}
    assert {'mmsegmentation==1.2.2', 'ftfy', 'regex'} <= seg


def test_installed_package_resolves_package_configs(installed: InstalledWheel, tmp_path: Path):
    script = (
        'import json\n'
        'import cpra_mm\n'
        'import cpra_mm.edit\n'
        'from cpra_mm.apis import BUILTIN_CHECKPOINT\n'
        'from mmagic.registry import MODELS\n'
        'from mmengine.hub import get_config\n'
        'from mmengine.registry import DefaultScope\n'
        f"cfg = get_config('cpra_mm::cpraformer/{PHOTOS_CONFIG.name}')\n"
        "with DefaultScope.overwrite_default_scope(cfg.default_scope):\n"
        '    model = MODELS.build(cfg.model)\n'
        'print(json.dumps(dict(package=cpra_mm.__file__, config=cfg.filename,\n'
        '                      model=type(model).__name__, builtin=str(BUILTIN_CHECKPOINT),\n'
        '                      builtin_exists=BUILTIN_CHECKPOINT.is_file())))\n')
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path,
                            env=offline_env(installed.site), capture_output=True, text=True,
                            timeout=SUBPROCESS_TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    package = installed.site / 'cpra_mm'
    assert Path(found['package']).parent == package
    assert Path(found['config']) == (
        package / '.mim' / 'configs' / 'cpraformer' / PHOTOS_CONFIG.name)
    assert found['model'] == 'DerainRestorer'
    assert Path(found['builtin']).parent == package / 'weights' and found['builtin_exists']


def test_console_script_derains_with_builtin_model(installed: InstalledWheel, tmp_path: Path):
    rainy = np.random.default_rng(0).integers(0, 256, (24, 20, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'rainy.png'), rainy)
    result = subprocess.run(
        [str(installed.site / 'bin' / 'cpra-derain'), 'rainy.png', '--out-dir', 'out',
         '--device', 'cpu'],
        cwd=tmp_path, env=offline_env(installed.site), capture_output=True, text=True,
        timeout=SUBPROCESS_TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-3000:]
    derained = cv2.imread(str(tmp_path / 'out' / 'rainy.png'))
    assert derained is not None and derained.shape == rainy.shape


def test_editable_install_links_mim_entries(tmp_path: Path):
    source = copy_source_tree(tmp_path / 'src')
    run_pip(['install', '--no-deps', '--no-build-isolation', '--no-index', '-e', str(source),
             '--target', str(tmp_path / 'site')], cwd=tmp_path)
    mim = source / 'cpra_mm' / '.mim'
    for name in MIM_ENTRIES:
        assert (mim / name).is_symlink(), name
        assert (mim / name).resolve() == (source / name).resolve()
    assert (mim / 'tools' / 'derain.py').is_file()
    assert list((tmp_path / 'site').glob('cpra_mm-*.dist-info'))


@pytest.mark.parametrize('version, accepted', [
    ('2.0.0rc4', True), ('2.1.0', True), ('2.0.0rc3', False), ('2.2.0', False),
    ('1.7.2', False)])
def test_mmcv_version_check(version: str, accepted: bool):
    from cpra_mm.installation import check_mmcv_version

    if accepted:
        check_mmcv_version(version)
    else:
        with pytest.raises(ImportError, match=f'MMCV=={version} is used but incompatible'):
            check_mmcv_version(version)
