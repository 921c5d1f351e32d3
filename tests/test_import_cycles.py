"""cpra_mm's modules import each other without cycles.

The static import graph is read from the source with :mod:`ast` (nothing is
imported): an edge ``a -> b`` for every ``import`` or ``from ... import``
in module ``a`` that makes Python run module ``b``, relative or absolute,
including the packages on the way to ``b`` (their ``__init__`` runs
first) except those ``a`` itself lies in (already running when ``a`` is
imported). Imports under ``if TYPE_CHECKING:`` never run and are left out;
imports inside functions are left out unless asked for.
"""
import ast
import textwrap
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / 'cpra_mm'

Graph = Dict[str, Set[str]]


def module_files(root: Path, package: str) -> Dict[str, Path]:
    """``{dotted module name: file}`` of every module under ``root``."""
    modules = {}
    for path in sorted(root.rglob('*.py')):
        parts = [package, *path.relative_to(root).with_suffix('').parts]
        if parts[-1] == '__init__':
            parts.pop()
        modules['.'.join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING')


def import_statements(tree: ast.Module, function_level: bool) -> Iterator[ast.stmt]:
    """The ``import`` and ``from ... import`` statements of a module that
    run when it is imported (and, with ``function_level``, those inside its
    functions and methods)."""
    pending: List[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if function_level:
                    pending.append(child)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                pending.append(ast.Module(body=child.orelse, type_ignores=[]))
            else:
                pending.append(child)


def _resolve_base(statement: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from`` import names before ``import``."""
    if not statement.level:
        return statement.module
    parts = module.split('.') if is_package else module.split('.')[:-1]
    parts = parts[:len(parts) - statement.level + 1]
    return '.'.join(parts + ([statement.module] if statement.module else []))


def imported_modules(statement: ast.stmt, module: str, is_package: bool,
                     known: Set[str]) -> Tuple[Set[str], Set[str]]:
    """``(named, traversed)``: the modules of ``known`` a statement imports
    by name, and the packages Python runs on the way to them."""
    if isinstance(statement, ast.Import):
        targets = {alias.name for alias in statement.names}
    else:
        base = _resolve_base(statement, module, is_package)
        submodules = {f'{base}.{alias.name}' for alias in statement.names}
        targets = {name if name in known else base for name in submodules}
    named = {name for name in targets if name in known}
    traversed = set()
    for name in targets:
        parts = name.split('.')
        traversed.update('.'.join(parts[:i]) for i in range(1, len(parts)))
    return named, traversed & known


def import_graph(root: Path, package: str, function_level: bool = False) -> Graph:
    """The static import graph of ``package`` (see the module docstring)."""
    files = module_files(root, package)
    known = set(files)
    graph: Graph = {}
    for module, path in files.items():
        is_package = path.name == '__init__.py'
        enclosing = {module, *('.'.join(module.split('.')[:i])
                               for i in range(1, module.count('.') + 1))}
        edges: Set[str] = set()
        for statement in import_statements(ast.parse(path.read_text()), function_level):
            named, traversed = imported_modules(statement, module, is_package, known)
            edges |= (named - {module}) | (traversed - enclosing)
        graph[module] = edges
    return graph


def find_cycle(graph: Graph) -> Optional[List[str]]:
    """A cycle of ``graph`` as ``[a, b, ..., a]``, or None when it has
    none (depth-first search, modules in sorted order)."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: finished
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == 1:
                return path[path.index(successor):] + [successor]
            if successor not in state:
                cycle = visit(successor)
                if cycle:
                    return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _message(cycle: Optional[List[str]]) -> str:
    return 'import cycle: ' + ' -> '.join(cycle or [])


def test_no_import_cycle_among_module_level_imports():
    cycle = find_cycle(import_graph(PACKAGE_ROOT, 'cpra_mm'))
    assert cycle is None, _message(cycle)


def test_no_import_cycle_with_function_level_imports():
    cycle = find_cycle(import_graph(PACKAGE_ROOT, 'cpra_mm', function_level=True))
    assert cycle is None, _message(cycle)


def _write_package(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / 'pkg' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / 'pkg'


def test_the_graph_follows_relative_absolute_and_package_imports(tmp_path):
    package = _write_package(tmp_path, {
        '__init__.py': 'from . import a\nfrom .sub import c\n',
        'a.py': 'import os\nfrom .b import VALUE\n',
        'b.py': 'from pkg.sub.c import thing\n',
        'sub/__init__.py': 'from .. import b\n',
        'sub/c.py': ('from typing import TYPE_CHECKING\n'
                     'if TYPE_CHECKING:\n    from pkg import b\n'
                     'else:\n    import pkg.a\n'
                     'def later():\n    from pkg import b\n'),
    })
    assert import_graph(package, 'pkg') == {
        'pkg': {'pkg.a', 'pkg.sub', 'pkg.sub.c'},
        'pkg.a': {'pkg.b'},
        'pkg.b': {'pkg.sub', 'pkg.sub.c'},
        'pkg.sub': {'pkg.b'},
        'pkg.sub.c': {'pkg.a'},
    }
    assert import_graph(package, 'pkg', function_level=True)['pkg.sub.c'] == {'pkg.a', 'pkg.b'}


def test_cycles_are_found_and_named(tmp_path):
    package = _write_package(tmp_path, {
        '__init__.py': '',
        'a.py': 'from .b import B\n',
        'b.py': 'def f():\n    from .c import C\n',
        'c.py': 'from pkg import a\n',
    })
    assert find_cycle(import_graph(package, 'pkg')) is None
    assert find_cycle(import_graph(package, 'pkg', function_level=True)) == [
        'pkg.a', 'pkg.b', 'pkg.c', 'pkg.a']
