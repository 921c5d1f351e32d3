"""MMagic's own tools (``mmagic/.mim/tools/train.py`` and ``test.py`` of the
installed mmagic, run by path) train and test a cpra_mm config: the config's
``custom_imports`` bring in cpra_mm, and mmagic's tools import on the
pinned numpy (< 2; mmagic 1.2.0 uses ``np.bool8`` at import)."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from photos_run import (CHECKPOINT_NAME, PHOTOS_CONFIG, logged_metric, photos_cfg_options,
                        write_photos)
from wheel_build import offline_env

TOOL_TIMEOUT_S = 600


def mmagic_tools() -> Path:
    """``.mim/tools`` of the installed mmagic (found without importing it)."""
    spec = importlib.util.find_spec('mmagic')
    if spec is None or not spec.submodule_search_locations:
        pytest.skip('mmagic is not installed')
    tools = Path(spec.submodule_search_locations[0]) / '.mim' / 'tools'
    assert (tools / 'train.py').is_file() and (tools / 'test.py').is_file(), tools
    return tools


def _run_tool(command: List[str], cwd: Path) -> str:
    """Run ``python COMMAND`` in ``cwd``; return its output (stdout and
    stderr) after checking the exit status."""
    result = subprocess.run([sys.executable, *command], cwd=cwd, env=offline_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=TOOL_TIMEOUT_S)
    assert result.returncode == 0, result.stdout[-4000:]
    return result.stdout


def test_stock_mmagic_tools_train_then_test(tmp_path: Path):
    tools = mmagic_tools()
    options = photos_cfg_options(write_photos(tmp_path / 'photos'))

    train = _run_tool([str(tools / 'train.py'), str(PHOTOS_CONFIG), '--work-dir', 'work',
                       '--cfg-options', *options], tmp_path)
    assert logged_metric(train, 'photos-val/PSNR') > 0
    checkpoint = tmp_path / 'work' / CHECKPOINT_NAME
    assert checkpoint.is_file()

    test = _run_tool([str(tools / 'test.py'), str(PHOTOS_CONFIG), str(checkpoint),
                      '--work-dir', 'work_test', '--out', 'metrics.json',
                      '--cfg-options', *options], tmp_path)
    psnr = logged_metric(test, 'photos-test/PSNR')
    metrics = json.loads((tmp_path / 'metrics.json').read_text())
    assert metrics['photos-test/PSNR'] == pytest.approx(psnr, abs=1e-3)
    assert 0 < psnr < 100 and 0 < metrics['photos-test/SSIM'] <= 1
