"""The parser's Cython modules (``crawler/parsing/*.pyx``) are what the package runs after
the bootstrap, and each offers what its Python twin offers."""

from __future__ import annotations

import pytest

from core.native import build_dir
from tests.parsing.twins import ROOT, TWINS, compiled_twin, source_twin
from tests.test_native import MISSING


def test_every_cython_module_has_its_python_twin_under_test() -> None:
    assert sorted(path.stem for path in (ROOT / "crawler" / "parsing").glob("*.pyx")) == sorted(TWINS)


@pytest.mark.parametrize("name", TWINS)
def test_the_package_runs_the_compiled_twin_after_the_bootstrap(name: str) -> None:
    assert build_dir().is_dir(), MISSING
    module = compiled_twin(name)
    assert module.__file__ is not None and module.__file__.endswith(".so")


@pytest.mark.parametrize("name", TWINS)
def test_the_compiled_twin_offers_every_name_of_the_python_module(name: str) -> None:
    assert set(source_twin(name).__all__) <= set(dir(compiled_twin(name)))
