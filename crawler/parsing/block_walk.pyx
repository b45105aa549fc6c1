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
from cpython.mem cimport PyMem_Free
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
    BOLD_TAGS,
    LIST_TAGS,
    MINOR_HEADING_TAGS,
    SECTION_HEADING_TAGS,
)

cetree.import_lxml__etree()


include "nodes.pxi"
include "characters.pxi"
include "texts.pxi"


__all__ = ["blocks_of"]

cdef _Names _MARKED_BLOCKS = _Names(SECTION_HEADING_TAGS | LIST_TAGS | MINOR_HEADING_TAGS | {"table", "hr"})
cdef _Names _SECTION_HEADINGS = _Names(SECTION_HEADING_TAGS)
cdef _Names _LISTS = _Names(LIST_TAGS)
cdef _Names _PARAGRAPH_LIKE = _Names(MINOR_HEADING_TAGS | {"table", "hr"})
cdef _Names _BOLD = _Names(BOLD_TAGS)
cdef _Names _WRAPPERS = _Names({"span", "a", "em", "font"})
cdef _Names _ITEM = _Names({"li"})
cdef dict _SKIP_NAMES = {}  # a Skip's tags as _Names, made once per set of tags


cdef bint _unstripped(const unsigned char* text) noexcept:
    """``bool(text.strip())``: a character other than ``str.isspace`` whitespace."""
    while text[0]:
        if not _isspace(_read(&text)):
            return True
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
