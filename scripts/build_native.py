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
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.native import build_dir, builds_home, compiled_sources, cython_sources  # noqa: E402


def build(target: Path) -> None:
    """mypyc's C for the modules, and Cython's for the ``.pyx`` ones, compiled by
    setuptools' ``build_ext`` (two jobs: the modules are compiled one file each) into
    ``target``."""
    import lxml
    from Cython.Build import cythonize
    from mypyc.build import mypycify
    from setuptools import Extension, setup

    work = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        os.chdir(ROOT)  # mypyc names modules by their paths from here
        modules = mypycify([str(path) for path in compiled_sources()], opt_level="3",
                           target_dir=str(work / "c"))
        modules += cythonize(  # type: ignore[no-untyped-call]  # Cython ships no annotations
            [Extension(".".join(path.with_suffix("").parts), [str(path)], include_dirs=lxml.get_include())
             for path in cython_sources()],
            build_dir=str(work / "cython"), quiet=True, compiler_directives={"language_level": 3})
        setup(name="healthcrawl-native", ext_modules=modules,
              script_args=["--quiet", "build_ext", "--build-lib", str(work / "lib"),
                           "--build-temp", str(work / "objects"), "--parallel", "2"])
        try:
            (work / "lib").rename(target)
        except OSError:
            if not target.is_dir():  # another bootstrap finished the same build first: kept
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
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
