"""Section kinds and the heading keywords that decide them (docs/record-contract.md, Section kinds).

Kept outside the parser package because site profiles carry a kind table too
(the default is this one) and profiles must not import the parser.
"""

from __future__ import annotations

KindTable = tuple[tuple[str, tuple[str, ...]], ...]
"""Rows of (kind, heading keywords), matched in order."""

SECTION_KINDS: KindTable = (
    ("symptoms", ("symptom", "sign", "manifestation", "clinical feature", "presentation")),
    ("causes", ("cause", "etiology", "aetiology", "pathogenesis", "risk factor", "why")),
    ("prevention", ("prevent", "precaution", "avoid", "protection")),
    ("treatment", ("treat", "therap", "cure", "remed", "medication", "medicine", "surgery",
                   "relieve")),
    ("diagnosis", ("diagnos", "examination", "test", "check")),
    ("diet", ("diet", "food", "eat", "nutrition", "recipe")),
    ("care", ("care", "nursing", "lifestyle", "daily life")),
)
"""Heading keywords per kind; first match wins, in this order (docs/record-contract.md,
Section kinds)."""


def section_kind(heading: str, table: KindTable = SECTION_KINDS) -> str:
    """Kind of a section from its heading: the first keyword row that matches, else other.
    Answers are kept per table (:data:`_KNOWN_KINDS`): a site's articles repeat their
    headings ("Symptoms", "Causes", "Prevention"), and a heading of no kind is told only
    after every keyword of the table was looked for in it."""
    known = _KNOWN_KINDS.get(id(table))
    if known is None or known[0] is not table:
        if len(_KNOWN_KINDS) >= _MOST_TABLES:  # tables made on the fly: held no longer
            _KNOWN_KINDS.clear()
        known = _KNOWN_KINDS[id(table)] = (table, {})
    kinds = known[1]
    kind = kinds.get(heading)
    if kind is None:
        if len(kinds) >= _MOST_KNOWN_KINDS:
            kinds.clear()
        kind = kinds[heading] = _kind_of(heading, table)
    return kind


_KNOWN_KINDS: dict[int, tuple[KindTable, dict[str, str]]] = {}
"""Per table (by identity, the table held so its id is not reused): the kind of each
heading asked."""
_MOST_TABLES = 64
_MOST_KNOWN_KINDS = 4096
"""Headings kept per table; past this many (a crawl of many sites' odd headings) the
answers start anew."""


def _kind_of(heading: str, table: KindTable) -> str:
    lowered = heading.lower()
    for kind, keywords in table:
        for word in keywords:  # a plain loop: a generator per row cost more than its tests
            if word in lowered:
                return kind
    return "other"
