"""The import graph of the three top-level packages, read from the source with ``ast``.

The intended direction is one way: ``crawler`` may import ``pipelines`` and ``core``;
``pipelines`` may import only ``core``; ``core`` imports neither. These tests read every
``.py`` file of ``core/``, ``crawler/`` and ``pipelines/`` and look at *every* import
statement in it, wherever it stands: at module level, inside a function or method, under
``if TYPE_CHECKING:``, in a ``try``. A function-local import therefore cannot hide an
edge. Calls to ``importlib.import_module`` and ``__import__`` with a literal module name
count as imports too. Nothing is imported or executed; the files are only parsed.

Every failure names the offending file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "crawler", "pipelines")

# What each package may import besides itself.
ALLOWED = {
    "core": frozenset(),
    "pipelines": frozenset({"core"}),
    "crawler": frozenset({"core", "pipelines"}),
}

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_DYNAMIC_IMPORTERS = {"import_module", "__import__"}


@dataclass(frozen=True)
class Import:
    """One import of a project module: who imports what, where, and whether in a function."""

    path: Path  # relative to ROOT
    line: int
    source: str  # the importing file's top-level package
    module: str  # the imported module, absolute and dotted
    in_function: bool

    @property
    def target(self) -> str:
        return self.module.split(".")[0]

    @property
    def where(self) -> str:
        return f"{self.path.as_posix()}:{self.line}"


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module an ``ImportFrom`` names, resolving ``from . import x``."""
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()  # a module's relative imports are relative to its package
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imported_modules(node: ast.AST, path: Path) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        yield _absolute(node, path)
    elif isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if (name in _DYNAMIC_IMPORTERS and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.args[0].value


def _walk(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, in_function
        yield from _walk(child, in_function or isinstance(child, _FUNCTION_NODES))


def scan(root: Path) -> list[Import]:
    """Every import of a project module in every ``.py`` file of the three packages."""
    found: list[Import] = []
    for package in PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            path = file.relative_to(root)
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(path))
            for node, in_function in _walk(tree):
                for module in _imported_modules(node, path):
                    if module.split(".")[0] in PACKAGES:
                        found.append(Import(path, getattr(node, "lineno", 0), package, module, in_function))
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return scan(ROOT)


def _crossing(imports: list[Import], source: str, forbidden: set[str]) -> list[str]:
    return [f"{i.where}: {source} imports {i.module}"
            for i in imports if i.source == source and i.target in forbidden]


def test_every_package_is_scanned(imports: list[Import]) -> None:
    """A scan that found no files would pass every rule below, so make sure it saw them."""
    for package in PACKAGES:
        assert any((ROOT / package).rglob("*.py")), f"no .py files under {package}/"
    assert {i.source for i in imports} >= {"crawler", "pipelines"}, \
        "the scan found no project imports in crawler/ or pipelines/"


def test_core_imports_neither_crawler_nor_pipelines(imports: list[Import]) -> None:
    """``core`` is the shared base both other packages stand on; it depends on neither."""
    bad = _crossing(imports, "core", {"crawler", "pipelines"})
    if bad:
        pytest.fail("core must import neither crawler nor pipelines:\n" + "\n".join(bad))


def test_pipelines_does_not_import_crawler(imports: list[Import]) -> None:
    """The pipelines validate, dedup and export records; they know nothing of how pages
    are fetched or parsed, and may import only ``core``."""
    bad = _crossing(imports, "pipelines", {"crawler"})
    if bad:
        pytest.fail("pipelines must not import crawler:\n" + "\n".join(bad))


def test_every_edge_follows_the_intended_direction(imports: list[Import]) -> None:
    """The whole rule in one place: each package imports only what ``ALLOWED`` lists."""
    bad = [f"{i.where}: {i.source} imports {i.module}" for i in imports
           if i.target != i.source and i.target not in ALLOWED[i.source]]
    if bad:
        pytest.fail("imports against the direction crawler -> pipelines -> core:\n" + "\n".join(bad))


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``edges`` as ``[a, b, ..., a]``, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        for nxt in sorted(edges.get(node, ())):
            cycle = visit(nxt, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(edges):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def test_the_package_graph_has_no_cycle(imports: list[Import]) -> None:
    """The packages form a layering, so one can be read, tested and reused without the
    ones above it; a cycle would make them a single package in all but name."""
    edges: dict[str, set[str]] = {}
    witness: dict[tuple[str, str], Import] = {}
    for i in imports:
        if i.target != i.source:
            edges.setdefault(i.source, set()).add(i.target)
            witness.setdefault((i.source, i.target), i)
    cycle = _find_cycle(edges)
    if cycle:
        steps = [f"  {a} -> {b}, e.g. {witness[a, b].where}: imports {witness[a, b].module}"
                 for a, b in zip(cycle, cycle[1:], strict=False)]
        pytest.fail("the package graph has a cycle " + " -> ".join(cycle) + ":\n" + "\n".join(steps))


def test_no_function_local_import_crosses_packages(imports: list[Import]) -> None:
    """An import inside a function does not show at the top of the file, so an edge
    between packages made that way is easy to miss in review: every import of another
    top-level package must stand at module level.

    Function-local imports *within* one package are allowed: they cannot hide an edge of
    the package graph (and the tests above see them anyway). Today's are in
    ``crawler/cli.py``: ``run_demo_command`` and ``run_serve_demo_command`` import
    ``crawler.demo`` and ``crawler.demo_site.server`` when run, so the other subcommands
    do not load the demo-site generator; ``run_crawl_command`` imports ``crawler.params``
    and ``crawler.run``, which the module has already loaded at its top."""
    bad = [f"{i.where}: {i.source} imports {i.module} inside a function"
           for i in imports if i.in_function and i.target != i.source]
    if bad:
        pytest.fail("imports of another top-level package must stand at module level:\n"
                    + "\n".join(bad))


def test_the_scan_sees_imports_wherever_they_hide(tmp_path: Path) -> None:
    """The scanner itself: function-local, ``TYPE_CHECKING``, relative and dynamic imports
    are all found, each with its file and line."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pipelines import dedup\n"
        "def f():\n"
        "    import crawler.cli\n"
        "    from . import b\n"
        "    return importlib.import_module('pipelines.export')\n"
    )
    found = {(i.where, i.module, i.in_function) for i in scan(tmp_path)}
    assert found == {
        ("core/a.py:3", "pipelines", False),
        ("core/a.py:5", "crawler.cli", True),
        ("core/a.py:6", "core", True),
        ("core/a.py:7", "pipelines.export", True),
    }
