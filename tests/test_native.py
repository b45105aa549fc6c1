"""The parser's compiled build (``core/native.py``): used only when built from the very
sources beside it, and giving the records the sources give."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from core import native

ROOT = Path(__file__).resolve().parents[1]
MISSING = ("no compiled build of these sources: `sh scripts/bootstrap.sh` (which `make test` runs) "
           "builds it after an edit")

_RECORDS = """
import dataclasses, hashlib, sys
from pathlib import Path
import crawler.parsing.article as article
from core.profiles import get_profile
digest = hashlib.sha256()
for page in sorted(Path("tests/fixtures").rglob("*.html")):
    for url, profile in (("https://www.keepto.com/p/60636.html", None),
                         ("https://www.example.org/health/article", get_profile("generic"))):
        parsed = article.parse_page(page.read_bytes(), url, profile=profile, fetched_at="t", page_links=True)
        digest.update(repr((dataclasses.asdict(parsed.record), parsed.body_links, parsed.page_type,
                            parsed.page_links)).encode())
print(article.__file__, digest.hexdigest())
"""


def _parse_fixtures(pure: bool) -> tuple[str, str]:
    """(where ``crawler.parsing.article`` was loaded from, a digest of every fixture page's
    parse with both profiles), in a fresh interpreter."""
    env = {**os.environ, native.PURE_PYTHON_VARIABLE: "1" if pure else ""}
    out = subprocess.run([sys.executable, "-c", _RECORDS], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0], out[1]


def _copy_sources(tmp_path: Path) -> Path:
    for package in ("core", "crawler/parsing"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _digest_changes_with_an_edit_to(tmp_path: Path, source: str) -> bool:
    root = _copy_sources(tmp_path)
    before = native.source_digest(root)
    (root / source).write_text((root / source).read_text() + "\n")
    return native.source_digest(root) != before


def test_an_edit_to_a_compiled_module_changes_the_build_it_needs(tmp_path: Path) -> None:
    assert _digest_changes_with_an_edit_to(tmp_path, "crawler/parsing/generic.py")


def test_an_edit_to_a_module_the_compiled_ones_import_changes_the_build_it_needs(tmp_path: Path) -> None:
    assert _digest_changes_with_an_edit_to(tmp_path, "core/profiles/generic.py")


def test_an_edit_to_a_cython_module_or_what_it_includes_changes_the_build_it_needs(tmp_path: Path) -> None:
    assert _digest_changes_with_an_edit_to(tmp_path, "crawler/parsing/running_text.pyx")
    assert _digest_changes_with_an_edit_to(tmp_path / "again", "crawler/parsing/nodes.pxi")


def test_a_build_of_other_sources_is_no_build_of_these(tmp_path: Path) -> None:
    root = _copy_sources(tmp_path)
    stale = native.build_dir(root, tmp_path / "venv")
    stale.mkdir(parents=True)
    (root / "core" / "text.py").write_text((root / "core" / "text.py").read_text() + "\n")
    assert not native.build_dir(root, tmp_path / "venv").is_dir()


def test_the_parser_runs_compiled_after_the_bootstrap() -> None:
    built = native.build_dir()
    assert built.is_dir(), MISSING
    loaded, _ = _parse_fixtures(pure=False)
    assert Path(loaded).is_relative_to(built) and loaded.endswith(".so")


def test_the_pure_python_switch_runs_the_sources() -> None:
    loaded, _ = _parse_fixtures(pure=True)
    assert loaded == str(ROOT / "crawler" / "parsing" / "article.py")


def test_the_compiled_parser_gives_the_records_the_sources_give() -> None:
    assert native.build_dir().is_dir(), MISSING
    assert _parse_fixtures(pure=False)[1] == _parse_fixtures(pure=True)[1]


def test_a_build_named_by_the_build_variable_is_the_one_loaded(tmp_path: Path) -> None:
    """The build script's training run loads its instrumented build, never the one in place."""
    env = {**os.environ, native.PURE_PYTHON_VARIABLE: "", native.BUILD_VARIABLE: str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", "import crawler.parsing; print(crawler.parsing.__path__[0])"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(tmp_path / "crawler" / "parsing")
