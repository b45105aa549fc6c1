# cython: language_level=3, boundscheck=False, wraparound=False
"""``block_walk.py`` in C: the same walk over libxml2's nodes, which lxml keeps behind its
elements. Text is normalized as it is read, from the nodes' UTF-8 into one buffer, and
becomes a Python string once per block; a node becomes an lxml element only when its
class or id is to be searched for chrome markers. Built by ``scripts/build_native.py``
(Cython) beside the mypyc modules; the Python module is the reference both are tested
against.

Text is read as ``crawler.parsing.text`` joins it (a space, or in lines a line break, at
the edges of block elements and for ``<br>``; nothing from skipped elements) and left
as ``core.text.normalize`` leaves it: zero-width and control characters dropped, every
run of whitespace one space, trimmed.
"""

cimport lxml.includes.etreepublic as cetree
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strlen
from lxml.includes.tree cimport (
    XML_CDATA_SECTION_NODE,
    XML_COMMENT_NODE,
    XML_ELEMENT_NODE,
    XML_ENTITY_REF_NODE,
    XML_PI_NODE,
    XML_TEXT_NODE,
    xmlNode,
)

from crawler.parsing.blocks import chrome_marked, line_blocks, make_block
from crawler.parsing.rules import (
    BLOCK_TAGS,
    BOLD_TAGS,
    LIST_TAGS,
    MINOR_HEADING_TAGS,
    SECTION_HEADING_TAGS,
    SKIP_TAGS,
)

cetree.import_lxml__etree()


include "nodes.pxi"
include "characters.pxi"


__all__ = ["blocks_of"]

cdef _Names _SKIPPED = _Names(SKIP_TAGS)
cdef _Names _BLOCKS = _Names(BLOCK_TAGS)
cdef _Names _MARKED_BLOCKS = _Names(SECTION_HEADING_TAGS | LIST_TAGS | MINOR_HEADING_TAGS | {"table", "hr"})
cdef _Names _SECTION_HEADINGS = _Names(SECTION_HEADING_TAGS)
cdef _Names _LISTS = _Names(LIST_TAGS)
cdef _Names _PARAGRAPH_LIKE = _Names(MINOR_HEADING_TAGS | {"table", "hr"})
cdef _Names _BOLD = _Names(BOLD_TAGS)
cdef _Names _WRAPPERS = _Names({"span", "a", "em", "font"})
cdef _Names _BR = _Names({"br"})
cdef _Names _ITEM = _Names({"li"})
cdef _Names _NO_TEXT = _Names(SKIP_TAGS | {"br"})
cdef dict _SKIP_NAMES = {}  # a Skip's tags as _Names, made once per set of tags


cdef bint _visible(const unsigned char* text) noexcept:
    """``core.text.has_visible_text``."""
    while text[0]:
        if _kind(_read(&text)) == VISIBLE:
            return True
    return False


cdef bint _unstripped(const unsigned char* text) noexcept:
    """``bool(text.strip())``: a character other than ``str.isspace`` whitespace."""
    while text[0]:
        if not _isspace(_read(&text)):
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
    ASCII, most of a page's text, is told by a table and copied a word at a time."""
    cdef const unsigned char* start
    cdef unsigned char byte, kind
    cdef Py_ssize_t needed = text.length + <Py_ssize_t>strlen(<const char*>source) + 2  # a space, a NUL
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
    while source[0]:
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


cdef bint _whole_bold(xmlNode* element) noexcept:
    """``block_walk._is_whole_bold``: all visible text of ``element`` sits inside
    ``<strong>``/``<b>``."""
    cdef xmlNode* child = element.children
    cdef bint bold = False
    while child is not NULL and _is_text(child):  # the element's text
        if child.content is not NULL and _unstripped(<const unsigned char*>child.content):
            return False
        child = child.next
    if not _has_children(element):
        return False
    while child is not NULL:
        if _is_text(child):  # a child's tail
            if child.content is not NULL and _unstripped(<const unsigned char*>child.content):
                return False
        elif child.type == XML_ELEMENT_NODE:
            if _BOLD.holds(child) or (_WRAPPERS.holds(child) and _whole_bold(child)):
                bold = bold or _has_text(child)
            elif not _BR.holds(child) and _has_text(child):
                return False
        elif child.type == XML_ENTITY_REF_NODE or (_is_child(child) and _has_text(child)):
            return False
        child = child.next
    return bold


cdef bint _holds(xmlNode* node, xmlNode* inner) noexcept:
    """Whether ``node`` is an ancestor of ``inner``."""
    cdef xmlNode* above = inner.parent
    while above is not NULL:
        if above is node:
            return True
        above = above.parent
    return False


cdef class _Flattener:
    """``block_walk.py``'s ``_Flattener``. It keeps libxml2's node pointers while it walks:
    the Python it calls (making blocks, searching class names) never changes the tree."""

    cdef _Names skip_tags
    cdef bint marked
    cdef xmlNode* headline
    cdef bint past_headline
    cdef list blocks
    cdef list lines  # the lines of the inline run ended so far
    cdef Text inline  # the inline run's line being read
    cdef Text scratch  # an element's text

    def __cinit__(self, skip):
        self.skip_tags = _SKIP_NAMES.get(skip.tags)
        if self.skip_tags is None:
            self.skip_tags = _SKIP_NAMES[skip.tags] = _Names(skip.tags)
        self.marked = skip.marked
        self.headline = (<cetree._Element?>skip.headline)._c_node if skip.headline is not None else NULL
        self.past_headline = self.headline is NULL
        self.blocks = []
        self.lines = []

    def __dealloc__(self):
        PyMem_Free(self.inline.data)
        PyMem_Free(self.scratch.data)

    cdef bint skip(self, xmlNode* node) except -1:
        if not self.past_headline:
            if node is self.headline:
                self.past_headline = True
                return True
            return not _holds(node, self.headline)
        if self.skip_tags.holds(node):
            return True
        if not self.marked or not _has_marks(node):
            return False
        marks = _marks(node)
        return marks is not None and chrome_marked(marks)

    cdef str element_text(self, xmlNode* element):
        _collect(element, &self.scratch, False, None)
        return _take(&self.scratch)

    cdef int text_block(self, xmlNode* element, str markup) except -1:
        text = self.element_text(element)
        if text:
            self.blocks.append(make_block(text, markup))
        return 0

    cdef int flush(self) except -1:
        _end_line(&self.inline, self.lines)
        if self.lines:
            self.blocks.extend(line_blocks(self.lines))
            self.lines = []
        return 0

    cdef int walk(self, xmlNode* element) except -1:
        cdef xmlNode* child = element.children
        while child is not NULL:
            if _is_text(child):
                if child.content is not NULL:
                    _write(&self.inline, <const unsigned char*>child.content, True, self.lines)
            elif child.type == XML_ELEMENT_NODE and not _SKIPPED.holds(child) and not self.skip(child):
                if _BLOCKS.holds(child):
                    self.flush()
                    if not _MARKED_BLOCKS.holds(child) and not _has_children(child):  # a plain paragraph
                        self.text_block(child, "p")
                    else:
                        self.block(child)
                elif _BR.holds(child):
                    _write(&self.inline, b"\n", True, self.lines)
                elif _has_children(child):  # its text normalized on its own, then joined
                    _collect(child, &self.scratch, False, None)
                    if self.scratch.length:
                        self.scratch.data[self.scratch.length] = 0
                        _write(&self.inline, <const unsigned char*>self.scratch.data, True, self.lines)
                    self.scratch.length, self.scratch.space = 0, False
                else:
                    _collect(child, &self.inline, True, self.lines)
            child = child.next
        return 0

    cdef int block(self, xmlNode* element) except -1:
        cdef xmlNode* item
        if _SECTION_HEADINGS.holds(element):
            self.text_block(element, "heading")
        elif _LISTS.holds(element):
            item = element.children
            while item is not NULL:
                if item.type == XML_ELEMENT_NODE and _ITEM.holds(item) and not self.skip(item):
                    self.text_block(item, "li")
                item = item.next
        elif _PARAGRAPH_LIKE.holds(element):
            self.text_block(element, "p")
        elif _holds_one_of(element, _BLOCKS, False):
            self.walk(element)
            self.flush()
        elif _whole_bold(element):
            self.text_block(element, "bold")
        elif not _holds_one_of(element, _BR, True):
            self.text_block(element, "p")
        else:
            lines = []
            _collect(element, &self.scratch, True, lines)
            _end_line(&self.scratch, lines)
            self.blocks.extend(line_blocks(lines))
        return 0


def blocks_of(cetree._Element container not None, skip):
    """See ``block_walk.py``."""
    cdef _Flattener flattener = _Flattener(skip)
    if container._c_node.type == XML_ELEMENT_NODE:
        flattener.walk(container._c_node)
    elif container._c_node.content is not NULL:  # a comment's or a processing instruction's text
        _write(&flattener.inline, <const unsigned char*>container._c_node.content, True, flattener.lines)
    flattener.flush()
    return flattener.blocks
