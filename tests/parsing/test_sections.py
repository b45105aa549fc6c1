"""Headings versus items, section kinds, and how sections fill (the rules of
docs/record-contract.md, "Headings and items")."""

from __future__ import annotations

import pytest

from core import section_kinds
from core.records import ArticleRecord
from core.section_kinds import section_kind
from crawler.parsing import parse_article

URL = "https://www.keepto.com/p/1.html"
"""The keepto profile's rules (docs/record-contract.md's), on minimal markup."""


def parse_body(body: str, url: str = URL) -> ArticleRecord:
    html = (f"<html lang='en'><body><div class='article'><h1>Title</h1>"
            f"<div id='article-content'>{body}</div></div></body></html>")
    return parse_article(html, url)


def headings(record: ArticleRecord) -> list[str]:
    return [s.heading for s in record.sections]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Symptoms and Signs", "symptoms"),
        ("Preventive Care", "prevention"),
        ("Why coffee raises blood pressure", "causes"),
        ("Risk factors", "causes"),
        ("Precautions for better sleep", "prevention"),
        ("Treatment methods", "treatment"),
        ("How to diagnose it", "diagnosis"),
        ("Dietary advice", "diet"),
        ("Tips for eating fruit", "diet"),
        ("Home care", "care"),
        ("Tips for daily life", "care"),
        ("Which fruits are suitable", "other"),
        ("When to see a doctor", "other"),
    ],
)
def test_section_kind_comes_from_first_matching_keyword_row(heading: str, kind: str) -> None:
    assert section_kind(heading) == kind


def test_a_heading_asked_again_keeps_its_kind_in_each_table() -> None:
    custom = (("diet", ("symptom",)),)
    for _ in range(2):
        assert section_kind("Symptoms and Signs") == "symptoms"
        assert section_kind("Symptoms and Signs", custom) == "diet"
        assert section_kind("Symptoms and Signs", (("care", ("sign",)),)) == "care"  # a new table each time


def test_the_kinds_kept_are_bounded() -> None:
    table = (("care", ("care",)),)
    for number in range(section_kinds._MOST_KNOWN_KINDS + 10):
        assert section_kind(f"Heading {number}", table) == "other"
    assert section_kind("Home care", table) == "care"
    assert len(section_kinds._KNOWN_KINDS[id(table)][1]) <= section_kinds._MOST_KNOWN_KINDS
    for number in range(section_kinds._MOST_TABLES + 10):
        assert section_kind("Home care", (("care", ("care",)), ("x", (str(number),)))) == "care"
    assert len(section_kinds._KNOWN_KINDS) <= section_kinds._MOST_TABLES


def test_short_numbered_line_without_full_stop_is_a_heading() -> None:
    record = parse_body("<p>Intro text here.</p><p>1. Symptoms and Signs</p><p>Body text.</p>")
    assert headings(record) == ["Symptoms and Signs"]
    assert record.sections[0].number == "1"


def test_numbered_sentence_is_an_item_of_the_current_section() -> None:
    record = parse_body("<p>1. Prevention</p><p>1. Live a regular life and avoid overwork.</p>")
    assert record.sections[0].items == ["Live a regular life and avoid overwork."]


def test_long_numbered_line_is_an_item_even_without_full_stop() -> None:
    long_line = "2. Keep a regular schedule and go to bed before eleven every night of the week"
    record = parse_body(f"<p>1. Prevention</p><p>1. Rest well.</p><p>{long_line}</p>")
    assert len(record.sections) == 1 and len(record.sections[0].items) == 2


def test_short_item_continuing_the_item_run_is_an_item() -> None:
    record = parse_body(
        "<p>1. Causes</p><p>Smoking mostly.</p><p>2. Signs</p><p>Cough.</p><p>3. Prevention</p>"
        "<p>1. Keep the kitchen ventilated.</p><p>2. Wear a mask at work.</p><p>3. Quit smoking</p>"
        "<p>4. Treatment</p><p>Inhalers help.</p>"
    )
    assert headings(record) == ["Causes", "Signs", "Prevention", "Treatment"]
    assert record.prevention[-1] == "Quit smoking"


def test_short_line_continuing_the_heading_run_is_a_heading() -> None:
    record = parse_body(
        "<p>1. Symptoms</p><p>Pain.</p><p>2. Prevention</p><p>1. Rest well.</p>"
        "<p>2. Drink water.</p><p>3. Dietary advice</p><p>Eat porridge.</p>"
    )
    assert headings(record) == ["Symptoms", "Prevention", "Dietary advice"]


def test_line_fitting_both_runs_is_a_heading_when_marked_up_like_the_headings() -> None:
    record = parse_body(
        "<p>1. Causes</p><p>Smoking.</p><p>2. Prevention</p><p>1. Ventilate the kitchen.</p>"
        "<p>2. Wear a mask.</p><p>3. Treatment</p><p>Inhalers help.</p>"
    )
    assert headings(record) == ["Causes", "Prevention", "Treatment"]


def test_run_restarting_at_one_under_a_heading_is_items() -> None:
    record = parse_body("<p><strong>How to prevent it</strong></p><p>1. Quit smoking</p>"
                        "<p>2. Sleep early</p>")
    assert record.prevention == ["Quit smoking", "Sleep early"]


def test_whole_bold_paragraph_is_a_heading() -> None:
    record = parse_body("<p>Intro.</p><p><strong>Common causes</strong></p><p>Stress.</p>")
    assert headings(record) == ["Common causes"]
    assert record.sections[0].number is None


def test_bulleted_line_and_li_are_never_headings() -> None:
    record = parse_body("<h2>Prevention</h2><p>- Short tip</p><ul><li>1. Another</li></ul>")
    assert headings(record) == ["Prevention"]
    assert record.prevention == ["Short tip", "Another"]


def test_br_separated_enumerated_lines_are_items() -> None:
    record = parse_body("<h2>Daily prevention</h2><p>Intro.</p><p>1. Eat slowly.<br>2. Sleep.</p>")
    assert record.sections[0].text == "Intro."
    assert record.prevention == ["Eat slowly.", "Sleep."]


def test_prevention_paragraphs_without_enumerators_become_items() -> None:
    record = parse_body("<h2>Prevention</h2><p>Wash hands.</p><p>Avoid crowds.</p>")
    assert record.sections[0].items == ["Wash hands.", "Avoid crowds."]
    assert record.sections[0].text == ""


def test_symptoms_join_paragraphs_then_items_of_every_symptoms_section() -> None:
    record = parse_body("<h2>Early symptoms</h2><p>Tired.</p><h2>Late signs</h2><p>Then:</p>"
                        "<ul><li>Jaundice.</li></ul>")
    assert record.symptoms == "Tired.\n\nThen:\n\nJaundice."


def test_title_repeated_as_first_body_line_is_not_summary() -> None:
    record = parse_body("<p>Title</p><p>Real intro.</p><h2>Symptoms</h2><p>x</p>")
    assert record.summary == "Real intro."


def test_missing_sections_are_warnings_not_errors() -> None:
    record = parse_body("<p>Only an intro.</p>")
    assert {"no_symptoms_section", "no_prevention_section", "no_sections"} <= set(
        record.parse_warnings
    )
    assert record.sections == [] and record.prevention == [] and record.symptoms is None


GENERIC_URL = "https://www.example.org/health/flu.html"


def test_generic_prevention_prose_gives_no_items() -> None:
    record = parse_body("<h2>Prevention</h2><p>Wash hands.</p><p>Avoid crowds.</p>", GENERIC_URL)
    assert record.prevention == []
    assert record.sections[0].text == "Wash hands.\n\nAvoid crowds."


def test_generic_prevention_items_are_the_first_list_only() -> None:
    record = parse_body("<h2>How to prevent flu</h2><ul><li>Get vaccinated</li><li>Wash hands</li></ul>"
                        "<p>Sources:</p><ul><li>WHO 2024</li></ul>", GENERIC_URL)
    assert record.prevention == ["Get vaccinated", "Wash hands"]


def test_generic_page_with_heading_elements_keeps_numbered_lines_as_items() -> None:
    record = parse_body("<h2>Symptoms</h2><p>1. Fever</p><p>2. Cough</p><h2>Treatment</h2><p>Rest.</p>",
                        GENERIC_URL)
    assert headings(record) == ["Symptoms", "Treatment"]
    assert record.sections[0].items == ["Fever", "Cough"]
