"""Compile the parser's hot modules with mypyc, and its Cython modules, into this
virtualenv (``core/native.py``).

Run by ``scripts/bootstrap.sh``; a no-op when the build of the current sources exists.
The build goes to a temporary directory beside its place and is renamed into it whole, so
a parse never finds half a build; older builds (of other sources) are removed after.
Exit 0 when the build is in place, 1 when it failed (the sources then run as they are).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.native import (  # noqa: E402
    BUILD_VARIABLE,
    PURE_PYTHON_VARIABLE,
    build_dir,
    builds_home,
    compiled_sources,
    cython_sources,
)


def build(target: Path) -> None:
    """mypyc's C for the modules, and Cython's for the ``.pyx`` ones, compiled by
    setuptools' ``build_ext`` into ``target``, guided by a profile of the parse where the
    compiler can (:func:`_profile_flags`), else as they are."""
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        os.chdir(ROOT)  # mypyc names modules by their paths from here
        build = _Build(work)
        flags = _profile_flags(build)
        try:
            build.compile(work / "lib", flags)
        except (Exception, SystemExit):
            if not flags:
                raise
            print("build_native: the profile-guided compile failed; compiling without it", flush=True)
            build.compile(work / "lib", [])
        try:
            (work / "lib").rename(target)
        except OSError:
            if not target.is_dir():  # another bootstrap finished the same build first: kept
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Build:
    """The extension modules (mypyc's C for the compiled modules, Cython's for the
    ``.pyx``), compiled as often as asked into one objects folder, where a profile-guided
    compile finds the profile by its objects' paths."""

    def __init__(self, work: Path) -> None:
        import lxml
        from Cython.Build import cythonize
        from mypyc.build import mypycify
        from setuptools import Extension

        self.objects = work / "objects"
        self.modules: list[Any] = mypycify([str(path) for path in compiled_sources()], opt_level="3",
                                           target_dir=str(work / "c"))
        self.modules += cythonize(  # type: ignore[no-untyped-call]  # Cython ships no annotations
            [Extension(".".join(path.with_suffix("").parts), [str(path)], include_dirs=lxml.get_include())
             for path in cython_sources()],
            build_dir=str(work / "cython"), quiet=True, compiler_directives={"language_level": 3})
        self._arguments = [(list(module.extra_compile_args), list(module.extra_link_args))
                           for module in self.modules]

    def compile(self, lib: Path, flags: list[str], link_flags: list[str] | None = None) -> None:
        """Every module compiled anew into ``lib`` with ``flags`` beside mypyc's or Cython's
        own (two jobs: the modules are compiled one file each)."""
        from setuptools import setup

        for module, (compile_args, link_args) in zip(self.modules, self._arguments, strict=True):
            module.extra_compile_args = [*compile_args, *flags]
            module.extra_link_args = [*link_args, *(link_flags or [])]
        setup(name="healthcrawl-native", ext_modules=self.modules,
              script_args=["--quiet", "build_ext", "--build-lib", str(lib), "--build-temp", str(self.objects),
                           "--parallel", "2", "--force"])


def _profile_flags(build: _Build) -> list[str]:
    """The compiler flags that lay the compiled code out for the parse as it runs: an
    instrumented build parses the fixture pages (:func:`train`) and the final compile
    uses the counts it leaves, the way CPython builds itself. Compiled code that runs cold
    pays in cache misses, much of a page's cost beyond its instructions (RESULTS.md, issue
    18, twenty-second session). None when the compiler cannot (it is not gcc) or the
    training fails: the build is then an ordinary one."""
    profile = build.objects.parent / "profile"
    instrumented = build.objects.parent / "instrumented"
    generate = f"-fprofile-generate={profile}"
    try:
        build.compile(instrumented, [generate, "-fprofile-update=single"], [generate])
        subprocess.run([sys.executable, __file__, "--train"], check=True, cwd=ROOT, capture_output=True,
                       env={**os.environ, PURE_PYTHON_VARIABLE: "", BUILD_VARIABLE: str(instrumented)})
    except (Exception, SystemExit) as error:
        print(f"build_native: no profile of the parse ({error}); compiling without one", flush=True)
        return []
    if not any(profile.rglob("*.gcda")):
        print("build_native: the training left no profile; compiling without one", flush=True)
        return []
    return [f"-fprofile-use={profile}", "-fprofile-partial-training", "-Wno-missing-profile"]


TRAINING_URLS = ("https://www.keepto.com/p/60636.html", "https://www.example.org/health/article")
"""A fixture page is parsed as the demo site's, with its profile, and as another site's,
with the generic profile."""


def train(rounds: int = 3) -> int:
    """The parse a profile-guided build is laid out for: every fixture page (the golden
    pages and the real pages of other sites) parsed with the site profile and with the
    generic one, as a crawl parses (``parse_page``, links read) and as a caller reading
    records does (``parse_article``). Run in the instrumented build (``BUILD_VARIABLE``);
    the demo sites of the benchmarks are no part of it."""
    import crawler.parsing.article as article
    from core.profiles import get_profile

    generic = get_profile("generic")
    pages = [path.read_bytes() for path in sorted((ROOT / "tests" / "fixtures").rglob("*.html"))]
    for _ in range(rounds):
        for html in pages:
            for url, profile in zip(TRAINING_URLS, (None, generic), strict=True):
                article.parse_page(html, url, profile=profile, page_links=True)
                article.parse_article(html, url, profile=profile)
    return 0


def main() -> int:
    if sys.argv[1:] == ["--train"]:
        return train()
    target = build_dir()
    if target.is_dir():
        return 0
    builds_home().mkdir(parents=True, exist_ok=True)
    print(f"build_native: compiling the parser with mypyc into {target} ...", flush=True)
    try:
        build(target)
    except (Exception, SystemExit) as error:  # setuptools exits on a compiler error
        print(f"build_native: the compiled build failed ({error}); the parser runs as pure Python",
              file=sys.stderr)
        return 1
    for old in builds_home().iterdir():
        if old != target and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    print("build_native: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
