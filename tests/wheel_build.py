"""Build cpra_mm's wheel from a copy of the working tree and install it into
a folder of its own, once per test session, offline.

The copy keeps the build's by-products (``build/``, ``*.egg-info``) out of
the repository. The folder install (``pip install --target``) is a regular,
non-editable install: processes that put it first on ``PYTHONPATH`` import
cpra_mm from it, and mim and mmengine, which locate a package through its
distribution's location (site-packages for an editable install, which holds
no ``cpra_mm/``), find its ``cpra_mm/.mim`` there.
"""
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[1]
PIP_TIMEOUT_S = 600


@dataclass(frozen=True)
class InstalledWheel:
    """A wheel built from the working tree and the folder it is installed in."""
    wheel: Path
    site: Path


_SESSION: Dict[str, InstalledWheel] = {}


def source_files() -> List[Path]:
    """The working tree's files that a checkout holds: tracked ones and
    untracked ones git does not ignore (paths relative to the repository).
    Skips the test outside a git checkout."""
    if not (REPO / '.git').exists() or shutil.which('git') is None:
        pytest.skip('needs a git checkout to tell source files from build outputs')
    listed = subprocess.run(
        ['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
        cwd=REPO, check=True, capture_output=True).stdout.decode().split('\0')
    return [Path(name) for name in listed if name and (REPO / name).is_file()]


def copy_source_tree(destination: Path) -> Path:
    """Copy :func:`source_files` to ``destination``; return it."""
    for relative in source_files():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    return destination


def offline_env(pythonpath: Optional[Path] = None) -> Dict[str, str]:
    """The environment for child processes: no package index, one thread,
    and ``pythonpath`` (if given) first on ``PYTHONPATH``."""
    env = dict(os.environ, PIP_NO_INDEX='1', PIP_DISABLE_PIP_VERSION_CHECK='1',
               OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    if pythonpath is not None:
        env['PYTHONPATH'] = os.pathsep.join(
            [str(pythonpath)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    return env


def run_pip(args: List[str], cwd: Path) -> None:
    """Run ``python -m pip ARGS`` offline; fail the test with pip's output
    if it fails."""
    result = subprocess.run([sys.executable, '-m', 'pip', *args], cwd=cwd, env=offline_env(),
                            capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    if result.returncode != 0:
        pytest.fail(f'pip {" ".join(args)} failed:\n{result.stdout}\n{result.stderr}')


def build_wheel(source: Path, out_dir: Path) -> Path:
    """``pip wheel --no-deps --no-build-isolation`` of ``source`` into
    ``out_dir``; return the wheel."""
    run_pip(['wheel', '--no-deps', '--no-build-isolation', '--no-index', '-w', str(out_dir),
             str(source)], cwd=source)
    wheels = sorted(out_dir.glob('cpra_mm-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """The session's wheel and its ``--target`` install (built on first use)."""
    if 'wheel' not in _SESSION:
        root = tmp_path_factory.mktemp('cpra_mm_wheel')
        wheel = build_wheel(copy_source_tree(root / 'src'), root / 'dist')
        site = root / 'site'
        run_pip(['install', '--no-deps', '--no-index', '--target', str(site), str(wheel)],
                cwd=root)
        _SESSION['wheel'] = InstalledWheel(wheel=wheel, site=site)
    return _SESSION['wheel']
