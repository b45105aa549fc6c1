"""The parser's compiled build: its hot modules compiled with mypyc, loaded only when they
were built from exactly the sources beside them.

The parser is Python on lxml; mypyc compiles the same annotated modules to C extension
modules that run the same code with fewer interpreter steps (about a tenth less time a
page: ``benchmarks/RESULTS.md``). ``scripts/build_native.py`` (run by the bootstrap)
builds them into ``<venv>/healthcrawl-native/<digest>/``, the digest being that of every
source they are built from or type-checked against. A package whose modules are compiled
(``core``, ``crawler.parsing``) puts its directory there first on its ``__path__`` when it
is imported: an edited source changes the digest, so a stale build is never run (the
sources run until the next build), and a checkout without a build, or a machine without
a C compiler, runs the sources. ``HEALTHCRAWL_PURE_PYTHON=1`` runs the sources anyway
(profilers and debuggers see only Python frames).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PURE_PYTHON_VARIABLE = "HEALTHCRAWL_PURE_PYTHON"
BUILD_VARIABLE = "HEALTHCRAWL_NATIVE_BUILD"
"""A build to run instead of the one of these sources: set only by ``scripts/build_native.py``
for the run that trains its instrumented build, which nothing else may load."""
SOURCE_ROOT = Path(__file__).resolve().parents[1]
_CORE_MODULES = ("core/text.py", "core/section_kinds.py", "core/urls.py", "core/article_ids.py")


def compiled_sources(root: Path = SOURCE_ROOT) -> list[Path]:
    """The modules mypyc compiles, relative to ``root``: every module of ``crawler/parsing``
    but those written again for Cython (:func:`cython_sources`), and of ``core`` the ones
    the parse calls per block."""
    parsing = sorted(path.relative_to(root) for path in (root / "crawler" / "parsing").glob("*.py")
                     if path.name != "__init__.py" and not path.with_suffix(".pyx").exists())
    return [Path(name) for name in _CORE_MODULES] + parsing


def cython_sources(root: Path = SOURCE_ROOT) -> list[Path]:
    """The modules Cython compiles, relative to ``root``: each the C twin of the Python
    module of its name, which walks libxml2's nodes where Python would make an lxml element
    of each (``crawler/parsing/running_text.pyx``)."""
    return sorted(path.relative_to(root) for path in (root / "crawler" / "parsing").glob("*.pyx"))


def source_digest(root: Path = SOURCE_ROOT) -> str:
    """A digest of what a build depends on: the Python ABI, the lxml version, and every
    source of ``core`` and ``crawler/parsing`` (the compiled modules and those they are
    type-checked against, whose constants mypyc may copy into them)."""
    digest = hashlib.sha256(f"{sys.implementation.cache_tag} {sys.platform} {_lxml_version()}\n".encode())
    parsing = root / "crawler" / "parsing"
    sources = [*(root / "core").rglob("*.py"), *parsing.glob("*.py"), *parsing.glob("*.pyx"),
               *parsing.glob("*.pxi")]
    for path in sorted(sources):
        digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _lxml_version() -> str:
    """The lxml the Cython modules are built against: they read its elements' C structures,
    which another version may lay out otherwise, so a build is of one version only."""
    try:
        return version("lxml")
    except PackageNotFoundError:
        return "none"


def build_dir(root: Path = SOURCE_ROOT, prefix: Path | None = None) -> Path:
    """Where the build of the sources under ``root`` belongs (whether or not it exists)."""
    return builds_home(prefix) / source_digest(root)


def builds_home(prefix: Path | None = None) -> Path:
    """The directory holding builds: in the virtualenv (``sys.prefix``), whose Python they
    are built for."""
    return Path(prefix or sys.prefix) / "healthcrawl-native"


@cache
def compiled_dir() -> Path | None:
    """The build of these very sources, when there is one and it is wanted; else None."""
    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return None
    if forced := os.environ.get(BUILD_VARIABLE):
        return Path(forced)
    try:
        found = build_dir()
    except OSError:  # a source unreadable: nothing to compare with, so no build is trusted
        return None
    return found if found.is_dir() else None


def package_path(path: list[str], package: str) -> list[str]:
    """A compiled package's ``__path__``: the build's directory for it first, when there is
    a build of these sources. The modules there share one library at the build's top
    level, which goes on ``sys.path`` (last: it holds nothing else to find)."""
    found = compiled_dir()
    if found is None:
        return path
    if str(found) not in sys.path:
        sys.path.append(str(found))
    return [str(found / package), *path]
