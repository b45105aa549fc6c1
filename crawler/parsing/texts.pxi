# Text read from libxml2's nodes as ``crawler.parsing.text`` joins it and left as
# ``core.text.normalize`` leaves it, into one UTF-8 buffer that becomes a Python string
# once (included by the Cython modules of crawler/parsing after nodes.pxi and
# characters.pxi: scripts/build_native.py).
from cpython.mem cimport PyMem_Realloc
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport memcpy, strlen

from crawler.parsing.rules import BLOCK_TAGS, SKIP_TAGS

cdef _Names _SKIPPED = _Names(SKIP_TAGS)
cdef _Names _BLOCKS = _Names(BLOCK_TAGS)
cdef _Names _BR = _Names({"br"})
cdef _Names _NO_TEXT = _Names(SKIP_TAGS | {"br"})


cdef bint _visible(const unsigned char* text) noexcept:
    """``core.text.has_visible_text``."""
    while text[0]:
        if _kind(_read(&text)) == VISIBLE:
            return True
    return False


cdef struct Text:
    char* data  # normalized UTF-8 of the text read so far
    Py_ssize_t length
    Py_ssize_t capacity
    bint space  # whitespace read after the last visible character: a space if more follows


cdef inline Py_ssize_t _spaced(char* data, Py_ssize_t length) noexcept:
    """The length once the space between two words is written, when text comes before it
    (``normalize`` trims the edges)."""
    if length:
        data[length] = 0x20
        return length + 1
    return length


cdef int _write(Text* text, const unsigned char* source, bint lines, list done) except -1:
    """Append ``source`` to ``text`` as ``normalize`` leaves it. In ``lines``, a line feed
    ends the line: a line with text is appended to ``done`` and ``text`` starts anew.
    Eight bytes of printable ASCII with no two spaces side by side, most of a page's text,
    are normalized already but for a space at either end, and are copied at once
    (``characters.pxi``); other ASCII is told by a table and copied a word at a time."""
    cdef const unsigned char* start
    cdef unsigned char byte, kind
    cdef Py_ssize_t size = <Py_ssize_t>strlen(<const char*>source)
    cdef Py_ssize_t needed = text.length + size + 2  # a space, a NUL
    cdef char* data
    if needed > text.capacity:
        needed = max(needed, 2 * text.capacity, 256)
        data = <char*>PyMem_Realloc(text.data, needed)
        if data is NULL:
            raise MemoryError()
        text.data, text.capacity = data, needed
    data = text.data
    cdef Py_ssize_t length = text.length
    cdef bint space = text.space
    cdef const unsigned char* end = source + size
    cdef const unsigned char* stop  # read a character at a time up to here
    cdef uint64_t chunk, spaces
    cdef int first, last
    while source < end:
        stop = end
        if HC_LITTLE_ENDIAN and end - source >= 8:
            memcpy(&chunk, source, 8)
            if _plain_ascii(chunk):
                spaces = _visible_flags(chunk) ^ HC_BYTES(0x80)
                if not (spaces & (spaces << 8)):
                    first = 1 if spaces & 0x80 else 0  # the bytes [first, last) are copied
                    last = 7 if spaces >> 63 else 8
                    if first:
                        space = True
                    if space:
                        length, space = _spaced(data, length), False
                    memcpy(data + length, source + first, last - first)
                    length += last - first
                    space = last == 7
                    source += 8
                    continue
            stop = source + 8
        while source < stop:
            byte = source[0]
            if byte < 0x80:
                source += 1
                kind = _ASCII_KINDS[byte]
                if kind == VISIBLE:
                    if space:
                        length, space = _spaced(data, length), False
                    data[length] = byte
                    length += 1
                    byte = source[0]
                    while _ASCII_KINDS[byte & 0x7F] == VISIBLE and byte < 0x80:  # the rest of the word
                        data[length] = byte
                        length += 1
                        source += 1
                        byte = source[0]
                elif byte == 0x0A and lines:
                    text.length, text.space = length, space
                    _end_line(text, done)
                    length, space = text.length, text.space
                elif kind == SPACE:
                    space = True
                continue
            start = source
            kind = _kind(_read(&source))
            if kind == VISIBLE:
                if space:
                    length, space = _spaced(data, length), False
                while start < source:
                    data[length] = start[0]
                    length += 1
                    start += 1
            elif kind == SPACE:
                space = True
    text.length, text.space = length, space
    return 0


cdef inline str _take(Text* text):
    """The text so far as a string; ``text`` starts anew."""
    value = PyUnicode_DecodeUTF8(text.data, text.length, NULL)
    text.length, text.space = 0, False
    return value


cdef int _end_line(Text* text, list done) except -1:
    if text.length:
        done.append(_take(text))
    text.space = False
    return 0


cdef int _collect(xmlNode* element, Text* text, bint lines, list done) except -1:
    """``element``'s text as ``crawler.parsing.text._collect`` joins it, into ``text``."""
    cdef xmlNode* child = element.children
    cdef bint block
    while child is not NULL:
        if _is_text(child):
            if child.content is not NULL:
                _write(text, <const unsigned char*>child.content, lines, done)
        elif child.type == XML_ELEMENT_NODE:
            if _BR.holds_folded(child):
                _write(text, b"\n" if lines else b" ", lines, done)
            elif not _SKIPPED.holds_folded(child):
                block = _BLOCKS.holds_folded(child)
                if block:
                    _write(text, b"\n" if lines else b" ", lines, done)
                _collect(child, text, lines, done)
                if block:
                    _write(text, b"\n" if lines else b" ", lines, done)
        child = child.next
    return 0


cdef bint _has_text(xmlNode* node) noexcept:
    """``crawler.parsing.text.TextPresence``: ``bool(element_text(node))``."""
    if node.type != XML_ELEMENT_NODE:
        return node.content is not NULL and _visible(<const unsigned char*>node.content)
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is_text(child):
            if child.content is not NULL and _visible(<const unsigned char*>child.content):
                return True
        elif child.type == XML_ELEMENT_NODE and not _NO_TEXT.holds_folded(child) and _has_text(child):
            return True
        child = child.next
    return False
