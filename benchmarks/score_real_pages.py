"""How well the generic profile reads real health pages it was not built for, beside
trafilatura on the same pages: titles, section headings (precision, recall, F1), tips
lists, published dates and related links, per page set.

Run: ``make score-real-pages``. The page sets are ``tests/fixtures/real-pages`` (the pages
the generic rules were first fitted to), ``tests/fixtures/more-real-pages/tuning`` (pages
looked at while the rules were extended) and ``tests/fixtures/more-real-pages/held-out``
(pages kept out of that work: their scores are what to expect on pages nobody looked at).
Each page's ``.json`` says what a careful reader finds on it; the README beside the pages
says how those were decided.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.profiles import get_profile  # noqa: E402
from core.text import normalize  # noqa: E402
from crawler.parsing import parse_page  # noqa: E402
from crawler.parsing.enumerators import strip_enumerator  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PAGE_SETS = {
    "real-pages": FIXTURES / "real-pages",
    "more-real-pages/tuning": FIXTURES / "more-real-pages" / "tuning",
    "more-real-pages/held-out": FIXTURES / "more-real-pages" / "held-out",
}


@dataclass
class Reading:
    """What one extractor read from a page."""

    title: str
    headings: list[str]
    prevention: list[str] | None
    published_at: str | None
    recommendations: list[tuple[str, str]] | None


@dataclass
class Score:
    """Counts over a page set, for one extractor."""

    pages: int = 0
    titles: int = 0
    heading_hits: int = 0
    heading_extra: int = 0
    heading_missed: int = 0
    prevention: int = 0
    prevention_pages: int = 0
    dates: int = 0
    date_pages: int = 0
    recommendation_hits: int = 0
    recommendation_extra: int = 0
    recommendation_missed: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, spec: dict[str, Any], got: Reading) -> None:
        self.pages += 1
        if got.title == spec["title"]:
            self.titles += 1
        else:
            self.misses.append(f"{name}: title {got.title!r}")
        strict = Counter(_heading(h) for h in spec["section_headings"])
        optional = {_heading(h) for h in spec.get("optional_headings", [])}
        returned = Counter(_heading(h) for h in got.headings)
        hits = sum((returned & strict).values())
        extra = sum(count for heading, count in (returned - strict).items() if heading not in optional)
        self.heading_hits += hits
        self.heading_extra += extra
        self.heading_missed += sum(strict.values()) - hits
        if extra or hits < sum(strict.values()):
            self.misses.append(f"{name}: headings {hits}/{sum(strict.values())}, {extra} extra")
        if got.prevention is not None:
            self.prevention_pages += 1
            self.prevention += got.prevention == spec["prevention_items"]
        if "published_at" in spec:
            self.date_pages += 1
            self.dates += _day(got.published_at) == _day(spec["published_at"])
        if "recommendations" in spec and got.recommendations is not None:
            want = Counter((r["title"], r["url"]) for r in spec["recommendations"])
            have = Counter(got.recommendations)
            self.recommendation_hits += sum((want & have).values())
            self.recommendation_extra += sum((have - want).values())
            self.recommendation_missed += sum((want - have).values())

    def row(self, name: str) -> str:
        precision = _share(self.heading_hits, self.heading_hits + self.heading_extra)
        recall = _share(self.heading_hits, self.heading_hits + self.heading_missed)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        recs = _f1(self.recommendation_hits, self.recommendation_extra, self.recommendation_missed)
        prevention = f"{self.prevention}/{self.prevention_pages}" if self.prevention_pages else "-"
        dates = f"{self.dates}/{self.date_pages}" if self.date_pages else "-"
        return (f"| {name} | {self.pages} | {self.titles}/{self.pages} | {precision:.2f} | {recall:.2f} | "
                f"{f1:.2f} | {prevention} | {dates} | {recs} |")


def _heading(text: str) -> str:
    return normalize(strip_enumerator(text))


def _day(value: str | None) -> str | None:
    """Dates compare by day: some pages state a time, some do not."""
    return value[:10] if value else None


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _f1(hits: int, extra: int, missed: int) -> str:
    if not hits + extra + missed:
        return "-"
    precision, recall = _share(hits, hits + extra), _share(hits, hits + missed)
    return f"{2 * precision * recall / (precision + recall) if precision + recall else 0.0:.2f}"


GENERIC = get_profile("generic")


def healthcrawl(html: bytes, url: str) -> Reading:
    record = parse_page(html, url, profile=GENERIC).record
    return Reading(record.title, [s.heading for s in record.sections], record.prevention,
                   record.published_at, [(r.title, r.url) for r in record.recommendations])


def with_trafilatura(html: bytes, url: str) -> Reading:
    """trafilatura's title, the ``<head>`` elements of its XML output, and its date; it
    reads no tips lists and no related links."""
    xml = trafilatura.extract(html, url=url, output_format="xml", with_metadata=True,
                              include_comments=False, include_tables=True) or "<doc/>"
    root = etree.fromstring(xml.encode("utf-8"))
    headings = [normalize("".join(head.itertext())) for head in root.iter("head")]
    return Reading(normalize(root.get("title") or ""), [h for h in headings if h], None,
                   root.get("date") or None, None)


EXTRACTORS: dict[str, Callable[[bytes, str], Reading]] = {
    "healthcrawl generic": healthcrawl, "trafilatura": with_trafilatura}


def pages(folder: Path) -> Iterable[tuple[str, bytes, dict[str, Any]]]:
    for spec_path in sorted(folder.glob("*.json")):
        yield (spec_path.stem, spec_path.with_suffix(".html").read_bytes(),
               json.loads(spec_path.read_text(encoding="utf-8")))


def main() -> None:
    verbose = "-v" in sys.argv
    print("| page set, extractor | pages | titles | heading precision | heading recall | heading F1 "
          "| tips lists | dates | related links F1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    misses: list[str] = []
    for set_name, folder in PAGE_SETS.items():
        if not folder.is_dir():
            continue
        for extractor_name, extractor in EXTRACTORS.items():
            score = Score()
            for name, html, spec in pages(folder):
                score.add(name, spec, extractor(html, spec["url"]))
            print(score.row(f"{set_name}, {extractor_name}"))
            if extractor is healthcrawl:
                misses += [f"{set_name}/{miss}" for miss in score.misses]
    if verbose:
        print("\nhealthcrawl misses:\n" + "\n".join(misses))


if __name__ == "__main__":
    main()
