"""Bytes are decoded the way browsers decode them: BOM, header charset, <meta>, detection."""

from __future__ import annotations

import pytest

from core.errors import UnusableDocumentError
from crawler.parsing import parse_article
from crawler.parsing.decoding import decode_tree, parse_tree, sniff_encoding
from tests.parsing.golden import golden_page

TEXT = "Café au lait, naïve façade: déjà vu."
CHINESE = "流行性感冒的预防：勤洗手，多通风，保证充足睡眠。"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><h1>{body}</h1></body></html>"


def title_of(data: bytes, content_type: str | None = None) -> str:
    return parse_article(data, "https://example.org/a", content_type=content_type).title


def test_gbk_golden_page_decodes_from_its_meta_charset() -> None:
    assert sniff_encoding(golden_page("10-gbk-encoded").html)[0] in ("gbk", "gb18030")


def test_header_charset_decides_when_the_page_declares_none() -> None:
    assert title_of(page(TEXT).encode("cp1252"), "text/html; charset=windows-1252") == TEXT


def test_header_charset_wins_over_a_wrong_meta() -> None:
    data = page(TEXT, '<meta charset="utf-8">').encode("latin-1")
    assert title_of(data, "text/html; charset=iso-8859-1") == TEXT


def test_meta_charset_decides_without_header() -> None:
    data = page(TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=latin-1">')
    assert title_of(data.encode("latin-1")) == TEXT


def test_bom_decides_over_everything() -> None:
    data = "\ufeff".encode() + page(TEXT, '<meta charset="latin-1">').encode()
    assert title_of(data, "text/html; charset=latin-1") == TEXT


def test_utf16_with_bom_is_not_mistaken_for_binary() -> None:
    assert title_of(page(TEXT).encode("utf-16")) == TEXT


def test_undeclared_utf8_is_detected() -> None:
    assert title_of(page(TEXT + " \u200bok").encode("utf-8")) == TEXT + " ok"


def test_undeclared_legacy_encoding_is_detected() -> None:
    russian = "Профилактика гриппа: мойте руки и проветривайте помещение каждый день."
    assert title_of(page(russian).encode("cp1251")) == russian


def test_invalid_bytes_in_the_declared_encoding_become_replacement_characters() -> None:
    data = b'<html><head><meta charset="utf-8"></head><body><h1>bad \xff byte</h1></body></html>'
    assert title_of(data) == "bad \ufffd byte"


def test_gbk_body_under_a_utf8_header_is_decoded_as_gbk_and_marked_misdeclared() -> None:
    data = page(CHINESE).encode("gbk")
    decoded = decode_tree(data, "text/html; charset=utf-8")
    assert decoded.root.findtext(".//h1") == CHINESE
    assert decoded.misdeclared_encoding


def test_a_wrong_header_gives_way_to_a_right_meta_charset() -> None:
    data = page(CHINESE, '<meta charset="gbk">').encode("gbk")
    assert sniff_encoding(data, "text/html; charset=utf-8")[:2] == ("gb18030", 0)


def test_a_few_stray_bytes_in_a_utf8_page_do_not_overrule_its_charset() -> None:
    data = page(CHINESE).encode() + b"<p>\x92quoted\x92 and \xa0 once</p>"
    decoded = decode_tree(data, "text/html; charset=utf-8")
    assert decoded.root.findtext(".//h1") == CHINESE
    assert not decoded.misdeclared_encoding


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b""])
def test_empty_input_is_unusable(data: bytes) -> None:
    with pytest.raises(UnusableDocumentError, match="empty"):
        parse_tree(data)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"ab\x00\x01cd"])
def test_binary_input_is_unusable(data: bytes) -> None:
    with pytest.raises(UnusableDocumentError, match="binary"):
        parse_tree(data)


def test_text_with_xml_declaration_and_control_characters_parses() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?><html><body><h1>a\x01b\x0bc</h1></body></html>'
    assert parse_article(html, "https://example.org/a").title == "abc"


def test_a_utf8_page_under_a_legacy_meta_charset_is_read_as_utf8_and_marked_misdeclared() -> None:
    data = page(CHINESE, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode()
    decoded = decode_tree(data)
    assert decoded.root.findtext(".//h1") == CHINESE
    assert decoded.misdeclared_encoding
    assert sniff_encoding(data) == ("utf-8", 0, True)


def test_an_ascii_page_under_a_legacy_charset_keeps_its_charset() -> None:
    data = page("Flu season", '<meta charset="windows-1252">').encode()
    assert not decode_tree(data).misdeclared_encoding
