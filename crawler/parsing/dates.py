"""Dates as pages write them, read into ISO-8601: ``iso_date`` for a text holding a date,
``date_line`` for a short line that is little but a date, ``url_date`` for a URL's path."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january", "januar", "jänner", "janv", "janvier", "enero", "gennaio", "janeiro", "januari"),
    ("feb", "february", "februar", "févr", "fév", "février", "fevrier", "febrero", "febbraio", "fevereiro",
     "februari"),
    ("mar", "march", "märz", "mär", "mars", "marzo", "março", "maart", "mrt"),
    ("apr", "april", "avr", "avril", "abril", "aprile"),
    ("may", "mai", "mayo", "maggio", "maio", "mei"),
    ("jun", "june", "juni", "juin", "junio", "giugno", "junho"),
    ("jul", "july", "juli", "juil", "juillet", "julio", "luglio", "julho"),
    ("aug", "august", "août", "aout", "agosto", "augustus"),
    ("sep", "sept", "september", "septembre", "septiembre", "setiembre", "settembre", "setembro"),
    ("oct", "october", "okt", "oktober", "octobre", "octubre", "ottobre", "outubro"),
    ("nov", "november", "novembre", "noviembre", "novembro"),
    ("dec", "december", "dez", "dezember", "déc", "décembre", "decembre", "diciembre", "dicembre",
     "dezembro"),
), start=1) for name in names}
"""Month names and their abbreviations in English, German, French, Spanish, Italian,
Portuguese and Dutch."""


def _one_of(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, the longest first where one starts another, as
    their alternation sorted longest first does; written as a tree of their letters, so
    a search tries a letter, not every word, at each position (with a hundred month
    names, the alternation cost a byline's date most of the parse of its page)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        either = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{either})?" if "" in node else either

    return pattern(tree)


_MONTH = _one_of(_MONTHS)
_CLOCK = (r"(?:,?\s+(?:(?:at|à|um|a las|alle|às|om|-)\s+)?(?P<hour>\d{1,2})[:h](?P<minute>\d{2})"
          r"\s*(?P<half>[ap]\.?m\.?)?)?")
_NAMED_DATES = (
    re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_CLOCK}",
               re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(?P<month>{_MONTH})\.?,?\s+"
               rf"(?:de\s+)?(?P<year>\d{{4}}){_CLOCK}", re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})\.(?P<month_number>\d{{1,2}})\.(?P<year>\d{{4}})\b{_CLOCK}"),
)
_DATE_LINE_CHARS = 48
_DATE_LINE_WORDS = 3
"""A date line is short: the date and at most a few words ("Published on", "10:21 ET")."""
_LINE_PARTS = re.compile(r"\s[|·•]\s|\s[-–—]\s|\|")
"""What separates the parts of a byline ("By Jane Roe | May 14, 2023")."""
_NOT_PUBLISHED = re.compile(r"(?:last\s+)?(?:updated|modified|reviewed|edited)\b|更新|修改", re.IGNORECASE)
"""A date so labelled is not the publication date."""
_URL_DATE = re.compile(r"/((?:19|20)\d\d)(?:([/-])(\d\d?)\2(\d\d?)(?:[/-]|\.html?|$)|(\d\d)(\d\d)/)")
"""``/2023/05/14/``, ``/2023-05-14-slug``, and ``/20230514/`` as a folder (a file named
so is more often an id)."""


def date_line(text: str) -> str | None:
    """The date of a short line, or of one part of a byline, that holds little but a
    date; not one labelled as an update."""
    if not text or not any(c.isdigit() for c in text):
        return None
    for part in _LINE_PARTS.split(text):
        if (value := _date_part(part.strip())) is not None:
            return value
    return None


def _date_part(text: str) -> str | None:
    if len(text) > _DATE_LINE_CHARS or _NOT_PUBLISHED.match(text):
        return None
    value = iso_date(text)
    if value is None:
        return None
    rest = _DATE.sub(" ", text)
    for pattern in _NAMED_DATES:
        rest = pattern.sub(" ", rest)
    words = rest.replace(",", " ").split()
    return value if len(words) <= _DATE_LINE_WORDS and not any(c.isdigit() for c in rest) else None


def url_date(url: str) -> str | None:
    """A date the URL's path holds (``/2023/05/14/slug``, ``/2023-05-14-slug``)."""
    match = _URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    year, _, *parts = match.groups()
    month, day = (int(part) for part in parts if part is not None)
    return f"{int(year):04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(?!\d\d?(?:/|$))")


def url_month(url: str) -> str | None:
    """``YYYY-MM`` of a URL whose path files the page by year and month only
    (``/2017/05/slug.html``, as Blogger and many WordPress sites do)."""
    match = _URL_MONTH.search(urlsplit(url).path)
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    return f"{match[1]}-{match[2]}"


def iso_date(text: str) -> str | None:
    """``2023-05-14 10:21`` -> ``2023-05-14T10:21:00``; a date alone stays a date.
    English month names are read too (``May 14, 2023``, ``14 May 2023``)."""
    match = _DATE.search(text)
    if not match:
        return _named_month_date(text)
    year, month, day, hour, minute, second = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if hour is None:
        return date
    return f"{date}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"


def _named_month_date(text: str) -> str | None:
    for pattern in _NAMED_DATES:
        match = pattern.search(text)
        if match:
            month = int(match["month_number"]) if "month_number" in pattern.groupindex else (
                _MONTHS[match["month"].lower()])
            day = int(match["day"])
            if not (1 <= day <= 31 and 1 <= month <= 12):
                continue
            date = f"{int(match['year']):04d}-{month:02d}-{day:02d}"
            return date if match["hour"] is None else f"{date}T{_clock(match)}"
    return None


def _clock(match: re.Match[str]) -> str:
    """``07:38am`` -> ``07:38:00``, ``7:38 p.m.`` -> ``19:38:00``."""
    hour, half = int(match["hour"]) % 24, (match["half"] or "").replace(".", "").lower()
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{int(match['minute']):02d}:00"
