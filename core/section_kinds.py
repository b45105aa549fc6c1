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
    """Kind of a section from its heading: the first keyword row that matches, else other."""
    lowered = heading.lower()
    for kind, keywords in table:
        for word in keywords:  # a plain loop: a generator per row cost more than its tests
            if word in lowered:
                return kind
    return "other"
