"""The generator: deterministic, pages of real weight, every golden markup variant, GBK,
robots.txt and sitemaps, and a truth that matches what was written."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest

from core.section_kinds import section_kind
from crawler.demo_site import SiteTruth, generate_site
from crawler.demo_site.phrases import HEADINGS, SHORT_ADVICE

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_site_other_seed_other_site(tmp_path: Path) -> None:
    base = "http://www.healthdemo.test:9000"
    first = generate_site(tmp_path / "a", pages=40, seed=5, base_url=base)
    second = generate_site(tmp_path / "b", pages=40, seed=5, base_url=base)
    other = generate_site(tmp_path / "c", pages=40, seed=6, base_url=base)
    assert _digest(first.out_dir / "www") == _digest(second.out_dir / "www")
    assert _digest(first.out_dir / "truth") == _digest(second.out_dir / "truth")
    assert _digest(first.out_dir / "www") != _digest(other.out_dir / "www")


def test_regenerating_replaces_the_old_site(tmp_path: Path) -> None:
    generate_site(tmp_path, pages=30, seed=1, base_url="http://www.healthdemo.test:9000")
    truth = generate_site(tmp_path, pages=12, seed=1, base_url="http://www.healthdemo.test:9000")
    assert len(list((truth.docroot / "p").glob("*.html"))) == 12


def test_article_pages_weigh_25_to_60_kb(site: SiteTruth, records: list[dict],
                                         read_page: Callable[[str], bytes]) -> None:
    sizes = [len(read_page(record["url"])) for record in records]
    assert min(sizes) >= 25_000 and max(sizes) <= 60_000, (min(sizes), max(sizes))
    assert 35_000 <= sum(sizes) / len(sizes) <= 50_000


def _pages(records: list[dict], read_page: Callable[[str], bytes]) -> str:
    """Every article page's HTML, joined."""
    return "\n".join(read_page(r["url"]).decode(r["encoding"]) for r in records)


VARIANT_MARKERS = {
    "<h2> headings": r"<h2>\d+\. ",
    "unnumbered <h2> headings": r"<h2>[A-Z]",
    "whole-<strong> headings": r"<p><strong>\d+\. ",
    "unnumbered <strong> headings": r"<p><strong>[A-Z]",
    "<strong> 1、 headings": r"<p><strong>\d+、",
    "一、 headings": r"<p>[一二三四五]、",
    "<ol> items": r"<ol>",
    "<ul> items": r"<ul>\n",
    "(1) items": r"<p>\(1\) ",
    "<br> items": r"<br>\n2\. ",
    "1、 items": r"<p>1、",
    "① items": r"<p>①",
    "Step 1: items": r"<p>Step 1: ",
    "- bullets": r"<p>- ",
    "Previous:/Next: labels": r"Previous: <a",
    "<<: labels": r"&lt;&lt;:&nbsp; <a",
    "Related articles label": r"<h3>Related articles</h3>",
    "first article": r"This is the first article",
    "document-relative links": r'href="\d+\.html"',
    "mobile host links": r'href="http://m\.healthdemo\.test:8000/p/',
    "tracking links": r"\?utm_source=",
    "dead links": r'href="/p/98000\d\.html"',
    "PDF link": r'href="/files/[\w-]+\.pdf"',
    "snippet cut with ...": r'\.\.\.</p></li>',
    "snippet cut with …": r"…</p></li>",
    "entry without snippet": r'title="[^"]*">[^<]*</a></li>',
    "date and time line": r"Time: \d{4}-\d\d-\d\d \d\d:\d\d<",
    "date-only line": r"Time: \d{4}-\d\d-\d\d<",
    "messy markup": r"<!-- content start -->",
    "private link": r'href="/private/p/',
}


@pytest.mark.parametrize("variant", sorted(VARIANT_MARKERS))
def test_every_markup_variant_appears(variant: str, site: SiteTruth, records: list[dict],
                                      read_page: Callable[[str], bytes]) -> None:
    assert re.search(VARIANT_MARKERS[variant], _pages(records, read_page)), variant


def test_record_level_variants_appear(records: list[dict]) -> None:
    expected = [record["expected"] for record in records]
    warnings = {w for e in expected for w in e["parse_warnings"]}
    assert warnings == {"no_symptoms_section", "no_prevention_section"}
    assert any(sum(s["kind"] == "symptoms" for s in e["sections"]) == 2 for e in expected)
    assert any(item in SHORT_ADVICE for e in expected for item in e["prevention"])
    assert any(e["published_at"] and "T" in e["published_at"] for e in expected)
    assert {r["kind"] for r in records} == {"original", "orphan", "exact_copy", "near_copy"}
    assert any(s["number"] is None for e in expected for s in e["sections"])
    kinds = {s["kind"] for e in expected for s in e["sections"]}
    assert kinds == {"symptoms", "causes", "prevention", "treatment", "diagnosis", "diet",
                     "care", "other"}


def test_title_repeated_as_first_paragraph(records: list[dict],
                                           read_page: Callable[[str], bytes]) -> None:
    repeated = 0
    for record in records:
        html = read_page(record["url"]).decode(record["encoding"])
        title = re.search(r"<h1>(.*?)</h1>", html).group(1)
        if f'id="article-content">\n\t\t\t\t<p>{title}</p>' in html:
            repeated += 1
            assert not record["expected"]["summary"].startswith(record["expected"]["title"])
    assert repeated >= 5


def test_gbk_pages_declare_and_use_gbk(records: list[dict],
                                       read_page: Callable[[str], bytes]) -> None:
    gbk = [r for r in records if r["encoding"] == "gbk"]
    assert len(gbk) >= 5
    for record in gbk:
        data = read_page(record["url"])
        assert b'<meta charset="gbk">' in data[:300]
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "当前位置：" in data.decode("gbk")
        assert record["expected"]["breadcrumbs"][0] == "首页"


@pytest.mark.parametrize("kind", sorted(HEADINGS))
def test_heading_templates_classify_as_meant(kind: str) -> None:
    """Headings without a condition name get the kind the writer means (a condition
    name may still change it, e.g. "What is bad breath" is diet: "breath" has "eat")."""
    for heading in HEADINGS[kind]:
        if "{" not in heading:
            assert section_kind(heading) == kind, heading


def test_robots_txt(site: SiteTruth) -> None:
    robots = (site.docroot / "robots.txt").read_text()
    assert "Disallow: /private/" in robots.splitlines()
    assert f"Sitemap: {site.sitemap_url}" in robots.splitlines()


def test_sitemaps_list_every_public_article_once(site: SiteTruth, records: list[dict]) -> None:
    index = ElementTree.fromstring((site.docroot / "sitemap.xml").read_bytes())
    children = [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")]
    assert children == site.sitemaps and any(c.endswith(".xml.gz") for c in children)
    urls: list[str] = []
    for child in children:
        data = (site.docroot / child.removeprefix(site.base_url + "/")).read_bytes()
        if child.endswith(".gz"):
            data = gzip.decompress(data)
        urls += [loc.text for loc in ElementTree.fromstring(data).iter(f"{SITEMAP_NS}loc")]
    articles = [u for u in urls if "/p/" in u]
    assert sorted(articles) == sorted(r["url"] for r in records)
    assert not any("/private/" in u for u in urls)


def test_traps_are_on_disk_as_the_truth_says(site: SiteTruth) -> None:
    root = site.docroot
    for url in site.disallowed:
        assert (root / url.removeprefix(site.base_url + "/")).is_file()
    for url in site.missing:
        assert not (root / url.removeprefix(site.base_url + "/")).exists()
    for old, new in site.redirects.items():
        assert not (root / old.removeprefix(site.base_url + "/")).exists()
        assert (root / new.removeprefix(site.base_url + "/")).is_file()
    for url in site.pdfs:
        assert (root / url.removeprefix(site.base_url + "/")).read_bytes().startswith(b"%PDF-")
    assert not any((root / name).exists() for name in ("truth", "server.json"))


def test_duplicates_name_their_originals(site: SiteTruth, records: list[dict]) -> None:
    by_url = {r["url"]: r for r in records}
    duplicates = list(site.iter_duplicates())
    reasons = {d["reason"] for d in duplicates}
    assert reasons == {"url", "exact", "near"}
    for dup in duplicates:
        original = by_url[dup["duplicate_of"]]
        if dup["reason"] == "url":
            assert dup["canonical_url"] == original["expected"]["canonical_url"]
            continue
        assert original["kind"] == "original"
        copy = by_url[dup["url"]]["expected"]
        assert dup["canonical_url"] == copy["canonical_url"] != original["expected"]["canonical_url"]
        same = ("title", "summary", "sections") if dup["reason"] == "exact" else ("title", "summary")
        assert all(copy[field] == original["expected"][field] for field in same)
        assert copy["article_id"] != original["expected"]["article_id"]
    near = [d for d in duplicates if d["reason"] == "near"]
    assert all(2 <= d["changed_words"] <= 4 for d in near)


def _shingles(record: dict) -> set[tuple[str, ...]]:
    words = " ".join(s["text"] + " " + " ".join(s["items"])
                     for s in record["expected"]["sections"]).split()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def test_near_copies_are_near_and_unrelated_articles_are_not(records: list[dict]) -> None:
    """A near-duplicate detector needs a gap: copies above, different articles below."""
    by_url = {r["url"]: r for r in records}

    def jaccard(a: dict, b: dict) -> float:
        x, y = _shingles(a), _shingles(b)
        return len(x & y) / len(x | y)

    near = [jaccard(r, by_url[r["duplicate_of"]]) for r in records if r["kind"] == "near_copy"]
    originals = [r for r in records if r["kind"] == "original"][:120]
    unrelated = max(jaccard(a, b) for i, a in enumerate(originals) for b in originals[i + 1:])
    assert min(near) > 0.9 > 0.5 > unrelated, (min(near), unrelated)


def test_truth_counts_add_up(site: SiteTruth, records: list[dict]) -> None:
    counts = site.counts
    assert counts["articles"] == len(records) == 300
    assert counts["unique_articles"] + counts["exact_copies"] + counts["near_copies"] == 300
    assert len(site.orphans) == counts["orphans"] > 0
    assert SiteTruth.load(site.out_dir) == site
