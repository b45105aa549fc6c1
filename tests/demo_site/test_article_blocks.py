"""``generate_site(..., article_blocks=(low, high))``: article bodies of a chosen length,
drawn per article from the seed, copies still saying what their originals say, and the
site of default length left exactly as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.demo_site import SiteTruth, generate_site
from crawler.demo_site.generator import parse_article_blocks

BASE = "http://www.healthdemo.test:9000"


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def blocks(expected: dict[str, Any]) -> int:
    """Body blocks as the record shows them: summary paragraphs, section headings,
    section paragraphs and items."""
    summary = expected["summary"].split("\n\n") if expected["summary"] else []
    return len(summary) + sum(1 + len(s["text"].split("\n\n") if s["text"] else []) + len(s["items"])
                              for s in expected["sections"])


def test_without_article_blocks_the_site_and_its_truth_are_unchanged(tmp_path: Path) -> None:
    default = generate_site(tmp_path / "a", pages=40, seed=5, base_url=BASE)
    unsized = generate_site(tmp_path / "b", pages=40, seed=5, base_url=BASE, article_blocks=None)
    assert _digest(default.out_dir) == _digest(unsized.out_dir)
    assert "article_blocks" not in json.loads((default.out_dir / "truth" / "site.json").read_text())


def test_article_blocks_change_only_the_article_bodies(tmp_path: Path) -> None:
    default = generate_site(tmp_path / "a", pages=40, seed=5, base_url=BASE)
    sized = generate_site(tmp_path / "b", pages=40, seed=5, base_url=BASE, article_blocks=(40, 80))
    pages, sized_pages = _digest(default.docroot), _digest(sized.docroot)
    assert {p: h for p, h in pages.items() if not p.startswith("p/")} == {
        p: h for p, h in sized_pages.items() if not p.startswith("p/")}
    outside = ("title", "recommendations", "prev_article", "next_article", "published_at")
    assert [{f: r["expected"][f] for f in outside} for r in default.iter_records()] == [
        {f: r["expected"][f] for f in outside} for r in sized.iter_records()]


@pytest.mark.parametrize("span", [(5, 80), (5, 5), (60, 61)], ids=["5-80", "5-5", "60-61"])
def test_every_article_body_has_a_block_count_in_the_range(tmp_path: Path, span: tuple[int, int]) -> None:
    site = generate_site(tmp_path, pages=120, seed=2, base_url=BASE, article_blocks=span)
    counts = [blocks(r["expected"]) for r in site.iter_records()]
    assert span[0] <= min(counts) and max(counts) <= span[1], (min(counts), max(counts))
    assert len(set(counts)) >= min(30, span[1] - span[0] + 1)  # drawn, not one length for all


def test_same_seed_same_sized_site_other_range_other_site(tmp_path: Path) -> None:
    first = generate_site(tmp_path / "a", pages=40, seed=5, base_url=BASE, article_blocks=(5, 80))
    second = generate_site(tmp_path / "b", pages=40, seed=5, base_url=BASE, article_blocks=(5, 80))
    other = generate_site(tmp_path / "c", pages=40, seed=5, base_url=BASE, article_blocks=(20, 100))
    assert _digest(first.out_dir) == _digest(second.out_dir)
    assert _digest(first.docroot) != _digest(other.docroot)


def test_copies_of_sized_articles_say_what_their_originals_say(tmp_path: Path) -> None:
    site = generate_site(tmp_path, pages=100, seed=3, base_url=BASE, article_blocks=(40, 80))
    by_url = {r["url"]: r["expected"] for r in site.iter_records()}
    copies = [r for r in site.iter_records() if r["duplicate_of"]]
    assert {r["kind"] for r in copies} == {"exact_copy", "near_copy"}
    for copy in copies:
        original = by_url[copy["duplicate_of"]]
        if copy["kind"] == "exact_copy":
            assert (copy["expected"]["summary"], copy["expected"]["sections"]) == (
                original["summary"], original["sections"])
        assert blocks(copy["expected"]) == blocks(original)


def test_the_truth_records_the_range_and_loads_it_back(tmp_path: Path) -> None:
    generate_site(tmp_path, pages=10, seed=1, base_url=BASE, article_blocks=(5, 80))
    assert SiteTruth.load(tmp_path).article_blocks == (5, 80)


@pytest.mark.parametrize("spec", ["80-5", "x", "0-3", "5-", "-5-80", "5-2001"])
def test_a_bad_range_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="LOW-HIGH"):
        parse_article_blocks(spec)
