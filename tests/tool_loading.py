"""Import a command-line tool of ``tools/`` as a module, so tests can call
its ``main(argv)`` in-process."""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[1] / 'tools'


def load_tool(name: str, folder: str = '') -> ModuleType:
    """Load ``tools/<folder>/<name>.py`` (registered in ``sys.modules`` as
    ``name``, which dataclasses and pickling need)."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / folder / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
