"""Links the article page shows around its body: prev/next lines and the Recommend block."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from crawler.parsing.text import element_text, normalize
from crawler.records import Link, Recommendation

_LABEL_HOLDERS = ("p", "li", "div", "span", "td", "dd", "dt")
_ELLIPSES = ("...", "…")


def labelled_link(
    region: etree._Element, labels: tuple[str, ...], base_url: str
) -> Link | None:
    """The link on the line that starts with one of ``labels`` (``<<:``, ``Previous:``);
    None when no such line exists or the line has no link (the first article)."""
    for element in region.iter(_LABEL_HOLDERS):
        head = normalize(element.text or "")
        if head and head.startswith(labels):
            anchor = next((a for a in element.iter("a") if a.get("href")), None)
            return _link(anchor, base_url) if anchor is not None else None
    return None


def _link(anchor: etree._Element, base_url: str) -> Link:
    title = element_text(anchor) or normalize(anchor.get("title") or "")
    return Link(title=title, url=urljoin(base_url, (anchor.get("href") or "").strip()))


def recommendations(
    region: etree._Element, labels: tuple[str, ...], base_url: str
) -> list[Recommendation]:
    """Entries of the block headed by one of ``labels`` ("Recommend"), in page order."""
    block = _labelled_block(region, {label.casefold() for label in labels})
    if block is None:
        return []
    entries = [li for li in block.iter("li")] or [block]
    found: list[Recommendation] = []
    for entry in entries:
        anchor = next((a for a in entry.iter("a") if a.get("href")), None)
        if anchor is not None:
            link = _link(anchor, base_url)
            snippet, truncated = _snippet(entry, anchor)
            found.append(Recommendation(title=link.title, url=link.url, snippet=snippet,
                                        truncated=truncated))
    return found


def _labelled_block(region: etree._Element, labels: set[str]) -> etree._Element | None:
    """The smallest ancestor of the label element that also holds links."""
    for element in region.iter("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "dt"):
        if len(element) > 1 or element_text(element).rstrip(":：").casefold() not in labels:
            continue
        for ancestor in element.iterancestors():
            if any(a.get("href") for a in ancestor.iter("a")):
                return ancestor
    return None


def _snippet(entry: etree._Element, anchor: etree._Element) -> tuple[str | None, bool]:
    """The entry's text beside its link, without the trailing ellipsis."""
    parts = [element_text(child) for child in entry if child is not anchor
             and not any(a is anchor for a in child.iter("a"))]
    parts += [normalize(child.tail or "") for child in entry]
    text = normalize(" ".join(p for p in parts if p))
    if not text:
        return None, False
    for ellipsis in _ELLIPSES:
        if text.endswith(ellipsis):
            return text[: -len(ellipsis)].rstrip() or None, True
    return text, False
