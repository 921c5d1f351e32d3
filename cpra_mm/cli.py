"""Console scripts of the installed package.

``cpra-derain`` (``pip install`` puts it on the PATH) is ``tools/derain.py``
itself, run from the copy the package carries in ``cpra_mm/.mim/tools/``::

    cpra-derain photos/ --out-dir derained/ --compare
"""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Optional, Sequence

from .installation import MIM_DIR


def tool_path(name: str) -> Path:
    """The file of the command-line tool ``tools/<name>.py`` in
    ``cpra_mm/.mim/tools``.

    Raises:
        FileNotFoundError: the package has no such tool (an install made
            before the tools were packaged: reinstall it).
    """
    path = MIM_DIR / 'tools' / f'{name}.py'
    if not path.is_file():
        raise FileNotFoundError(
            f'{path} is missing: cpra_mm was installed without its tools; reinstall it '
            '(pip install . or pip install -e . in the repository)')
    return path


def load_tool(name: str) -> ModuleType:
    """Import the tool ``tools/<name>.py`` as the module
    ``cpra_mm.cli.tools.<name>`` (registered in ``sys.modules``, which its
    dataclasses need)."""
    module_name = f'{__name__}.tools.{name}'
    spec = importlib.util.spec_from_file_location(module_name, tool_path(name))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def derain(argv: Optional[Sequence[str]] = None) -> int:
    """``cpra-derain``: run ``tools/derain.py`` with ``argv`` (default
    ``sys.argv[1:]``) and return its exit status."""
    return load_tool('derain').main(argv)
