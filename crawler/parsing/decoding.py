"""Bytes to a parsed tree: the encoding decided once, the way browsers decide it.

Order (WHATWG encoding sniffing, via w3lib): a byte-order mark, the HTTP header's
charset, the document's ``<meta charset>``, then detection (strict UTF-8 first,
charset-normalizer for the rest), else UTF-8. A BOM outranks the header because
browsers let it. A declared charset the bytes plainly are not (most of their non-ASCII
characters fail to decode: a GBK body sent as UTF-8) is overruled by the next declaration
or by detection, whichever decodes with fewer errors, and the page is marked
mis-declared: trusting it would turn the article into replacement characters and lose it
as "too little prose". Valid pages pay one strict decode for this check. The bytes then go
to libxml2 with the encoding decided: decoding in
Python first and parsing the string would be slower (figure in benchmarks/RESULTS.md,
"Figures behind design choices"), and
libxml2 replaces invalid sequences with U+FFFD as Python's ``errors="replace"`` does.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import charset_normalizer
from lxml import etree
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from core.errors import UnusableDocumentError

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"\x7fELF", b"BZh", b"\xfd7zXZ", b"OggS", b"RIFF", b"\x00\x00\x01\x00")
_XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DETECT_BYTES = 65536
_MISDECLARED_MIN_ERRORS = 8
"""Fewer decode errors than this never overrule a declared charset: a stray invalid byte
in a short page is damage, not a wrong declaration."""


class Sniffed(NamedTuple):
    """The encoding decided for an HTML body."""

    encoding: str
    bom_length: int
    misdeclared: bool = False
    """A declared charset was overruled because the bytes are not in it."""


class DecodedTree(NamedTuple):
    root: etree._Element
    misdeclared_encoding: bool
    """The declared charset was wrong and another decoded the page (:class:`Sniffed`)."""
    too_deep: bool = False
    """libxml2 stopped at its nesting limit (256 levels): the rest of the page is not in
    the tree. Lifting the limit (``huge_tree``) would only move the failure into every
    recursive walk of the tree, so the page is parsed as far as it goes and says so."""


def detect_encoding(data: bytes) -> str | None:
    """Best guess for undeclared bytes: UTF-8 when they are valid UTF-8, else a detector's."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data[:_DETECT_BYTES]).best()
        return best.encoding if best else None
    return "utf-8"


def sniff_encoding(data: bytes, content_type: str | None = None) -> Sniffed:
    """The encoding of an HTML body: BOM, header, ``<meta>``, detection; a declaration
    the bytes contradict is overruled (module docstring)."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return Sniffed(bom_encoding, len(bom or b""))
    declared = [resolved for name in (http_content_type_encoding(content_type or ""),
                                      html_body_declared_encoding(data))
                if name and (resolved := resolve_encoding(name))]
    if not declared:
        detected = detect_encoding(data)
        return Sniffed((resolve_encoding(detected) or "utf-8") if detected else "utf-8", 0)
    errors = _decode_errors(data, declared[0])
    if not errors:
        return Sniffed(declared[0], 0)
    best, fewest = declared[0], errors
    for name in (*declared[1:], detect_encoding(data)):
        candidate = resolve_encoding(name) if name else None
        if candidate and candidate != best and (count := _decode_errors(data, candidate)) < fewest:
            best, fewest = candidate, count
    return Sniffed(best, 0, best != declared[0])


def _decode_errors(data: bytes, encoding: str) -> int:
    """Characters of ``data`` that do not decode in ``encoding``, counted only when they
    are a wrong declaration's mark: at least :data:`_MISDECLARED_MIN_ERRORS`, and most of
    the non-ASCII characters (a UTF-8 page with a few stray bytes decodes mostly right).
    An encoding Python does not know counts as all errors."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return len(data)
    else:
        return 0
    errors = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return errors if errors >= _MISDECLARED_MIN_ERRORS and 2 * errors > non_ascii else 0


def is_binary(data: bytes) -> bool:
    """True for bytes that are a known binary format, or that hold NUL bytes near the
    start without a UTF-16/32 byte-order mark explaining them."""
    if data.startswith(_BINARY_MAGIC):
        return True
    return data.find(b"\x00", 0, 4096) != -1 and read_bom(data)[0] is None


def parse_tree(html: str | bytes, content_type: str | None = None) -> etree._Element:
    """The document's root element; :class:`UnusableDocumentError` when there is none."""
    return decode_tree(html, content_type).root


def decode_tree(html: str | bytes, content_type: str | None = None) -> DecodedTree:
    """:func:`parse_tree`, and whether the page's declared charset had to be overruled."""
    misdeclared = False
    if isinstance(html, bytes):
        (root, too_deep), misdeclared = _parse_bytes(html, content_type)
    else:
        root, too_deep = _parse_text(html)
    if root is None:
        raise UnusableDocumentError("not an HTML document: no element could be parsed")
    return DecodedTree(root, misdeclared, too_deep)


_Parsed = tuple[etree._Element | None, bool]
"""The root, and whether the parse stopped at libxml2's nesting limit."""


def _parse(source: str | bytes, encoding: str | None = None) -> _Parsed:
    parser = etree.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True,
                              no_network=True)
    root = etree.fromstring(source, parser)
    last = parser.error_log.last_error  # the depth limit ends the parse: it is the last error
    return root, last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT


def _parse_bytes(data: bytes, content_type: str | None) -> tuple[_Parsed, bool]:
    if not data or data.isspace():
        raise UnusableDocumentError("empty document: nothing to parse")
    if is_binary(data):
        raise UnusableDocumentError("not an HTML document: the bytes are binary data")
    encoding, bom_length, misdeclared = sniff_encoding(data, content_type)
    try:
        return _parse(data[bom_length:], encoding), misdeclared
    except LookupError:  # an encoding Python knows and libxml2 does not: decode here
        return _parse_text(data[bom_length:].decode(encoding, errors="replace")), misdeclared


def _parse_text(text: str) -> _Parsed:
    if text.lstrip()[:5].lower() == "<?xml":
        text = _XML_DECLARATION.sub("", text, count=1)
    if not text or text.isspace():
        raise UnusableDocumentError("empty document: nothing to parse")
    try:
        return _parse(text)
    except ValueError:  # control characters or lone surrogates lxml refuses in a str
        return _parse(_XML_CONTROL.sub("", text))
