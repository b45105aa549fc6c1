"""What the tests of the parser's compiled twins share: a ``.pyx`` module (compiled at
bootstrap, found first by the package) and the ``.py`` module of the same name, which is
the reference it is tested against."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests" / "fixtures").rglob("*.html"))
TWINS = ("block_walk", "card_walk", "chrome_walk", "page_walk", "running_text", "words")


def compiled_twin(name: str) -> ModuleType:
    """The module the package finds: the compiled twin after the bootstrap."""
    return importlib.import_module(f"crawler.parsing.{name}")


def source_twin(name: str) -> ModuleType:
    """The ``.py`` module itself, whichever module the package finds first."""
    path = ROOT / "crawler" / "parsing" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_source", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def body_of(html: str | bytes) -> etree._Element:
    """The ``<body>`` of a page parsed as the parser parses it (the root without one)."""
    root = etree.fromstring(html, etree.HTMLParser(remove_comments=True, remove_pis=True))
    body = root.find("body")
    return body if body is not None else root
