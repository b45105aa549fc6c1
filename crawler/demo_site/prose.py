"""Plausible health prose: fills the templates of ``phrases.py`` with the vocabulary of
``vocab.py`` for one article's condition, drawing every choice from the article's own
random generator so that a page is the same for the same seed.

Templates are compiled once (their slot names found up front) so that filling a sentence
costs a few dictionary look-ups; the generator writes about a hundred sentences a page.
"""

from __future__ import annotations

import random
from string import Formatter

from crawler.demo_site import phrases
from crawler.demo_site.vocab import System

Compiled = tuple[tuple[str, tuple[str, ...]], ...]


def _compile(templates: tuple[str, ...]) -> Compiled:
    """Pair every template with its slot names, so filling skips unused slots."""
    formatter = Formatter()
    return tuple(
        (text, tuple(dict.fromkeys(name for _, name, _, _ in formatter.parse(text) if name)))
        for text in templates
    )


SENTENCES: dict[str, Compiled] = {
    "intro": _compile(phrases.INTRO),
    "symptoms": _compile(phrases.SYMPTOMS),
    "causes": _compile(phrases.CAUSES),
    "prevention": _compile(phrases.ADVICE),
    "treatment": _compile(phrases.TREATMENT),
    "diagnosis": _compile(phrases.DIAGNOSIS),
    "diet": _compile(phrases.DIET),
    "care": _compile(phrases.CARE),
    "other": _compile(phrases.OTHER),
}
ADVICE = _compile(phrases.ADVICE)
HEADINGS = {kind: _compile(texts) for kind, texts in phrases.HEADINGS.items()}
TITLES = _compile(phrases.TITLES)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Writer:
    """Writes sentences about one condition of one body system with one generator."""

    __slots__ = ("rng", "system", "cond", "used")

    def __init__(self, rng: random.Random, system: System, cond: str) -> None:
        self.rng = rng
        self.system = system
        self.cond = cond
        self.used: set[str] = set()
        """Templates already written, so an article does not repeat itself."""

    def _slot(self, name: str) -> str:
        lower = name.lower()
        value = self._value(lower.rstrip("2"))
        return _cap(value) if name != lower else value

    def _value(self, name: str) -> str:
        choice = self.rng.choice
        system = self.system
        match name:
            case "cond":
                return self.cond
            case "sym":
                return choice(system.symptoms)
            case "cause":
                return choice(system.causes)
            case "part":
                return choice(system.parts)
            case "test":
                return choice(system.tests)
            case "treat":
                return choice(system.treatments)
            case "food":
                return choice(system.foods)
            case "who":
                return choice(phrases.WHO)
            case "when":
                return choice(phrases.WHEN)
            case "dur":
                return choice(phrases.DURATION)
            case "dur_short":
                return choice(phrases.DURATION_SHORT)
            case "num":
                return choice(phrases.NUMBERS)
        raise KeyError(name)

    def fill(self, template: tuple[str, tuple[str, ...]]) -> str:
        """One template with its slots filled."""
        text, names = template
        if not names:
            return text
        values: dict[str, str] = {}
        for name in names:
            value = self._slot(name)
            # "{cause} and {cause2}" must name two different causes.
            for _ in range(4):
                if not name.endswith("2") or value.lower() != values.get(name[:-1], "").lower():
                    break
                value = self._slot(name)
            values[name] = value
        return text.format_map(values)

    def sentences(self, kind: str, count: int) -> list[str]:
        """``count`` different sentences of one kind (fewer if the kind has fewer)."""
        return [self.fill(template) for template in self._pick(SENTENCES[kind], count)]

    def _pick(self, pool: Compiled, count: int) -> list[tuple[str, tuple[str, ...]]]:
        """``count`` templates, unused ones first (reused only once a pool runs dry)."""
        fresh = [template for template in pool if template[0] not in self.used]
        picks = self.rng.sample(fresh, min(count, len(fresh)))
        if len(picks) < count:
            picks += self.rng.sample(pool, min(count - len(picks), len(pool)))
        self.used.update(text for text, _ in picks)
        return picks

    def paragraph(self, kind: str, low: int = 2, high: int = 5) -> str:
        """A paragraph of ``low``-``high`` sentences of one kind."""
        return " ".join(self.sentences(kind, self.rng.randint(low, high)))

    def heading(self, kind: str) -> str:
        """A section heading meant as ``kind`` (its real kind is the keyword table's)."""
        return self.fill(self.rng.choice(HEADINGS[kind]))

    def title(self) -> str:
        """An article headline."""
        return self.fill(self.rng.choice(TITLES))

    def items(self, kind: str, count: int) -> list[str]:
        """``count`` enumerated entries, each a full sentence ending in a full stop (at
        most :meth:`most_items` of them)."""
        if kind == "symptoms":
            symptoms = self.rng.sample(self.system.symptoms, min(count, len(self.system.symptoms)))
            return [_cap(symptom) + self.rng.choice(_SYMPTOM_TAILS) for symptom in symptoms]
        return [self.fill(template) for template in self._pick(_item_pool(kind), count)]

    def most_items(self, kind: str) -> int:
        """How many entries :meth:`items` writes at most, so a caller that needs an exact
        count asks for no more."""
        return len(self.system.symptoms) if kind == "symptoms" else len(_item_pool(kind))


def _item_pool(kind: str) -> Compiled:
    return ADVICE if kind in ("prevention", "care", "diet") else SENTENCES[kind]


_SYMPTOM_TAILS = (
    ", which is often the first sign.",
    ", especially in the morning.",
    ", which may last for several days.",
    ".",
    ", sometimes with a mild fever.",
)
