"""Enumerators and bullets are recognised, valued and stripped."""

from __future__ import annotations

import pytest

from crawler.parsing.enumerators import split_enumerator, strip_enumerator


@pytest.mark.parametrize(
    ("line", "number", "style", "rest"),
    [
        ("1. Symptoms and Signs", 1, "dot", "Symptoms and Signs"),
        ("12.Wash hands", 12, "dot", "Wash hands"),
        ("1、Eat fruit", 1, "comma", "Eat fruit"),
        ("3) Rest", 3, "bracket", "Rest"),
        ("(2) Avoid coffee", 2, "paren", "Avoid coffee"),
        ("（4）Keep warm", 4, "paren", "Keep warm"),
        ("①Change posture", 1, "circled", "Change posture"),
        ("⑤ Avoid heavy bags", 5, "circled", "Avoid heavy bags"),
        ("一、Symptoms and signs", 1, "chinese", "Symptoms and signs"),
        ("四、Treatment", 4, "chinese", "Treatment"),
        ("十二、Summary", 12, "chinese", "Summary"),
        ("（三）Diet", 3, "chinese_paren", "Diet"),
        ("Step 3: Wrap the ankle", 3, "step", "Wrap the ankle"),
        ("- Measure your blood pressure", None, "bullet", "Measure your blood pressure"),
        ("• Drink water", None, "bullet", "Drink water"),
        ("* Sleep early", None, "bullet", "Sleep early"),
    ],
)
def test_enumerator_is_recognised_valued_and_stripped(
    line: str, number: int | None, style: str, rest: str
) -> None:
    found = split_enumerator(line)
    assert found is not None
    assert (found.number, found.style, found.rest) == (number, style, rest)


@pytest.mark.parametrize(
    "line",
    ["1.5 mg a day is enough", "-5 degrees outside", "2023 was a hard year", "Step by step",
     "Sleep well", "1.", "", "(see above)"],
)
def test_text_that_only_looks_numbered_is_not_enumerated(line: str) -> None:
    assert split_enumerator(line) is None


def test_strip_enumerator_leaves_plain_text_alone() -> None:
    assert strip_enumerator("Plain text.") == "Plain text."
