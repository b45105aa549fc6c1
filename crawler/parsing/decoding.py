"""Bytes to a parsed tree: the encoding decided once, the way browsers decide it.

Order (WHATWG encoding sniffing, via w3lib): a byte-order mark, the HTTP header's
charset, the document's ``<meta charset>``, then detection (strict UTF-8 first,
charset-normalizer for the rest). A BOM outranks the header because browsers let it.
"""

from __future__ import annotations

import re

import charset_normalizer
from lxml import etree
from w3lib.encoding import html_to_unicode

from crawler.errors import UnusableDocumentError

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"\x7fELF", b"BZh", b"\xfd7zXZ", b"OggS", b"RIFF", b"\x00\x00\x01\x00")
_XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def detect_encoding(data: bytes) -> str | None:
    """Best guess for undeclared bytes: UTF-8 when they are valid UTF-8, else a detector's."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data[:65536]).best()
        return best.encoding if best else None
    return "utf-8"


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(encoding, text)`` of an HTML body; undecodable bytes become U+FFFD, never errors."""
    if is_binary(data):
        raise UnusableDocumentError("not an HTML document: the bytes are binary data")
    return html_to_unicode(content_type, data, auto_detect_fun=detect_encoding)


def is_binary(data: bytes) -> bool:
    """True for bytes that are a known binary format or hold NUL bytes near the start."""
    return data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]


def parse_tree(html: str | bytes, content_type: str | None = None) -> etree._Element:
    """The document's root element; :class:`UnusableDocumentError` when there is none."""
    text = decode_html(html, content_type)[1] if isinstance(html, bytes) else html
    if _XML_CONTROL.search(text):
        text = _XML_CONTROL.sub("", text)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        raise UnusableDocumentError("empty document: nothing to parse")
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    root = etree.fromstring(text, parser)
    if root is None:
        raise UnusableDocumentError("not an HTML document: no element could be parsed")
    return root
