"""Bytes to a parsed tree: the encoding decided once, the way browsers decide it.

Order (WHATWG encoding sniffing, via w3lib): a byte-order mark, the HTTP header's
charset, the document's ``<meta charset>``, then detection (strict UTF-8 first,
charset-normalizer for the rest), else UTF-8. A BOM outranks the header because
browsers let it. A declared charset the bytes plainly are not (most of their non-ASCII
characters fail to decode: a GBK body sent as UTF-8; or every multi-byte character is
valid UTF-8 under a legacy declaration: a page a browser saved) is overruled by UTF-8, the next declaration
or by detection, whichever decodes with fewer errors, and the page is marked
mis-declared: trusting it would turn the article into replacement characters and lose it
as "too little prose". The bytes go to libxml2 with the first choice (the BOM's, the first
declaration's, else UTF-8): decoding in Python first and parsing the string would be
slower (figure in benchmarks/RESULTS.md, "Figures behind design choices"), and libxml2
replaces invalid sequences with U+FFFD as Python's ``errors="replace"`` does. libxml2 also
says when it met such a sequence, and only then are the rules above applied in full (a
strict decode in Python, error counts, detection) and the page parsed again if another
encoding wins: a valid page, nearly every page, pays for none of it.
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
from crawler.parsing.text import xml_text

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"\x7fELF", b"BZh", b"\xfd7zXZ", b"OggS", b"RIFF", b"\x00\x00\x01\x00")
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


class DecodedTree:
    """The parsed tree, and what its decoding met. Read only; a plain class for mypyc to
    compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("root", "misdeclared_encoding", "too_deep")

    def __init__(self, root: etree._Element, misdeclared_encoding: bool, too_deep: bool = False) -> None:
        self.root = root
        self.misdeclared_encoding = misdeclared_encoding
        """The declared charset was wrong and another decoded the page (:class:`Sniffed`)."""
        self.too_deep = too_deep
        """libxml2 stopped at its nesting limit (256 levels): the rest of the page is not
        in the tree. Lifting the limit (``huge_tree``) would only move the failure into
        every recursive walk of the tree, so the page is parsed as far as it goes and
        says so."""


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
    return _decided(data, _declared_encodings(data, content_type))


def _decided(data: bytes, declared: list[str]) -> Sniffed:
    """:func:`sniff_encoding` for bytes without a BOM whose declarations are ``declared``."""
    if not declared:
        detected = detect_encoding(data)
        return Sniffed((resolve_encoding(detected) or "utf-8") if detected else "utf-8", 0)
    if declared[0] != "utf-8" and _plainly_utf8(data):
        return Sniffed("utf-8", 0, True)
    errors = _decode_errors(data, declared[0])
    if not errors:
        return Sniffed(declared[0], 0)
    best, fewest = declared[0], errors
    for name in (*declared[1:], detect_encoding(data)):
        candidate = resolve_encoding(name) if name else None
        if candidate and candidate != best and (count := _decode_errors(data, candidate)) < fewest:
            best, fewest = candidate, count
    return Sniffed(best, 0, best != declared[0])


def _declared_encodings(data: bytes, content_type: str | None) -> list[str]:
    """The charsets the header and then the document declare, as Python names them."""
    header = http_content_type_encoding(content_type) if content_type else None
    return [resolved for name in (header, html_body_declared_encoding(data))
            if name and (resolved := resolve_encoding(name))]


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
_ENCODING_ERRORS = (etree.ErrorTypes.ERR_INVALID_ENCODING,)


def _parse(source: str | bytes, encoding: str | None = None) -> tuple[_Parsed, bool]:
    """The parse, and whether libxml2 met bytes invalid in ``encoding``."""
    parser = etree.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True,
                              no_network=True)
    root = etree.fromstring(source, parser)
    log = parser.error_log
    last = log.last_error  # the depth limit ends the parse: it is the last error
    too_deep = last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT
    return (root, too_deep), last is not None and bool(log.filter_types(_ENCODING_ERRORS))


def _parse_bytes(data: bytes, content_type: str | None) -> tuple[_Parsed, bool]:
    """The parse, and whether a declared charset was overruled (module docstring)."""
    if not data or data.isspace():
        raise UnusableDocumentError("empty document: nothing to parse")
    if is_binary(data):
        raise UnusableDocumentError("not an HTML document: the bytes are binary data")
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return _parse_in(data[len(bom or b""):], bom_encoding)[0], False
    declared = _declared_encodings(data, content_type)
    first = declared[0] if declared else "utf-8"
    if first != "utf-8" and _plainly_utf8(data):
        return _parse_in(data, "utf-8")[0], True
    parsed, invalid_bytes = _parse_in(data, first)
    if not invalid_bytes and not parsed[1]:  # a parse cut short by depth may not have met them
        return parsed, False
    encoding, _, misdeclared = _decided(data, declared)
    if encoding == first:
        return parsed, False
    return _parse_in(data, encoding)[0], misdeclared


def _plainly_utf8(data: bytes) -> bool:
    """Bytes with multi-byte characters that are all valid UTF-8 are UTF-8, whatever they
    declare: text in a legacy charset (GBK, cp1252) is valid UTF-8 by chance only when it
    is a few characters long, and a page saved from a browser keeps its old ``<meta
    charset>`` over bytes the browser wrote as UTF-8. A legacy page fails at its first
    non-ASCII character, so the check costs it little."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_in(data: bytes, encoding: str) -> tuple[_Parsed, bool]:
    """:func:`_parse` of ``data`` in ``encoding``, and whether bytes were invalid in it."""
    try:
        return _parse(data, encoding)
    except LookupError:  # an encoding Python knows and libxml2 does not: decode here
        text = data.decode(encoding, errors="replace")
        return _parse_text(text), "\ufffd" in text


def _parse_text(text: str) -> _Parsed:
    if text.lstrip()[:5].lower() == "<?xml":
        text = _XML_DECLARATION.sub("", text, count=1)
    if not text or text.isspace():
        raise UnusableDocumentError("empty document: nothing to parse")
    try:
        return _parse(text)[0]
    except ValueError:  # control characters or lone surrogates lxml refuses in a str
        return _parse(xml_text(text))[0]
