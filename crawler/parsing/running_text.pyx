# cython: language_level=3, boundscheck=False, wraparound=False
"""``running_text.py`` in C: the same measures read from libxml2's nodes, which lxml keeps
behind its elements, so that a node passed over costs a pointer step instead of a Python
object. Only the paragraphs' parents and the divs that hold text become lxml elements. Built by ``scripts/build_native.py`` (Cython) beside the
mypyc modules; the Python module is the reference both are tested against.

Text is measured as ``core.text.normalize`` would leave it: zero-width and control
characters dropped, every run of whitespace one space, trimmed; an element's text joined
as ``crawler.parsing.text.element_text`` joins it (a space at the edges of block
elements and for ``<br>``, nothing from skipped elements).
"""

cimport lxml.includes.etreepublic as cetree
from libc.limits cimport LONG_MAX
from libc.string cimport strcmp
from lxml.includes.tree cimport XML_CDATA_SECTION_NODE, XML_ELEMENT_NODE, XML_TEXT_NODE, xmlNode

from crawler.parsing.rules import BLOCK_TAGS, DENSITY_TAGS, MIN_PARAGRAPH_CHARS, SKIP_TAGS

cetree.import_lxml__etree()


include "tag_names.pxi"


cdef _Names _SKIPPED = _Names(SKIP_TAGS)
cdef _Names _BLOCKS = _Names(BLOCK_TAGS)
cdef _Names _PARAGRAPHS = _Names(DENSITY_TAGS)
cdef long _MIN_CHARS = MIN_PARAGRAPH_CHARS


cdef struct Stream:
    long characters  # visible characters
    long words
    bint in_word


cdef inline void _space(Stream* stream) noexcept:
    stream.in_word = False


cdef inline bint _invisible(unsigned int code) noexcept:
    """``core.text``'s invisible characters: zero-width ones, the soft hyphen, the BOM and
    the control characters other than tab, line feed and carriage return."""
    if code < 0x20:
        return code != 0x09 and code != 0x0A and code != 0x0D
    return code == 0x7F or code == 0xAD or code == 0x200B or code == 0x200C or code == 0x200D \
        or code == 0x2060 or code == 0xFEFF


cdef inline bint _whitespace(unsigned int code) noexcept:
    """What ``str.split`` splits on, of the characters ``_invisible`` leaves."""
    if code <= 0x20:
        return code == 0x20 or code == 0x09 or code == 0x0A or code == 0x0D
    if code < 0x85:
        return False
    return code == 0x85 or code == 0xA0 or code == 0x1680 or (0x2000 <= code <= 0x200A) \
        or code == 0x2028 or code == 0x2029 or code == 0x202F or code == 0x205F or code == 0x3000


cdef enum CharacterKind:
    VISIBLE = 0
    SPACE = 1
    INVISIBLE = 2


cdef unsigned char _ASCII_KINDS[128]
for _code in range(128):
    _ASCII_KINDS[_code] = INVISIBLE if _invisible(_code) else SPACE if _whitespace(_code) else VISIBLE
del _code


cdef void _feed(Stream* stream, const unsigned char* text) noexcept:
    """Count ``text`` (UTF-8, as libxml2 keeps it) into ``stream``: characters ``normalize``
    drops are passed over (they join what surrounds them), the whitespace ``str.split``
    splits on ends a word. ASCII, most of a page's text, is told by a table."""
    cdef unsigned int code
    cdef unsigned char byte, kind
    while text[0]:
        byte = text[0]
        if byte < 0x80:
            kind = _ASCII_KINDS[byte]
            text += 1
        else:
            if byte < 0xE0:
                code = ((byte & 0x1F) << 6) | (text[1] & 0x3F)
                text += 2
            elif byte < 0xF0:
                code = ((byte & 0x0F) << 12) | ((text[1] & 0x3F) << 6) | (text[2] & 0x3F)
                text += 3
            else:
                code = ((byte & 0x07) << 18) | ((text[1] & 0x3F) << 12) | ((text[2] & 0x3F) << 6) \
                    | (text[3] & 0x3F)
                text += 4
            kind = INVISIBLE if _invisible(code) else SPACE if _whitespace(code) else VISIBLE
        if kind == VISIBLE:
            stream.characters += 1
            if not stream.in_word:
                stream.words += 1
                stream.in_word = True
        elif kind == SPACE:
            stream.in_word = False


cdef inline long _length(Stream* stream) noexcept:
    return stream.characters + stream.words - 1 if stream.words else 0


cdef bint _text_of(xmlNode* element, Stream* stream, long limit) noexcept:
    """``element``'s text as ``element_text`` joins it, into ``stream``, until more than
    ``limit`` characters other than spaces are read: True when it stopped there."""
    cdef xmlNode* child = element.children
    cdef bint block
    while child is not NULL:
        if child.type == XML_TEXT_NODE or child.type == XML_CDATA_SECTION_NODE:
            if child.content is not NULL:
                _feed(stream, <const unsigned char*>child.content)
                if stream.characters > limit:
                    return True
        elif child.type == XML_ELEMENT_NODE:
            if strcmp(<const char*>child.name, b"br") == 0:
                _space(stream)
            elif not _SKIPPED.holds(child.name):
                block = _BLOCKS.holds(child.name)
                if block:
                    _space(stream)
                if _text_of(child, stream, limit):
                    return True
                if block:
                    _space(stream)
        child = child.next
    return False


cdef long _element_length(xmlNode* element) noexcept:
    cdef Stream stream
    stream.characters = 0
    stream.words = 0
    stream.in_word = False
    _text_of(element, &stream, LONG_MAX)
    return _length(&stream)


cdef class ElementLengths:
    """``running_text.py``'s ``ElementLengths`` (``crawler.parsing.text.TextLengths``):
    ``len(element_text(element))``, measured from the nodes each time it is asked."""

    def __call__(self, cetree._Element element) -> int:
        return _element_length(element._c_node)

    def longer_than(self, cetree._Element element, long limit) -> bool:
        cdef Stream stream
        stream.characters = 0
        stream.words = 0
        stream.in_word = False
        return _text_of(element._c_node, &stream, limit) or _length(&stream) > limit


cdef long _links_length(xmlNode* element) noexcept:
    """The text length of every ``<a>`` inside ``element``, at any depth, summed."""
    cdef long total = 0
    cdef xmlNode* child = element.children
    while child is not NULL:
        if child.type == XML_ELEMENT_NODE:
            if strcmp(<const char*>child.name, b"a") == 0:
                total += _element_length(child)
            total += _links_length(child)
        child = child.next
    return total


cdef class _Walk:
    cdef cetree._Document document
    cdef object chrome
    cdef dict by_parent
    cdef dict known
    cdef xmlNode* last_parent
    cdef bint last_skipped
    cdef object last_proxy

    def __cinit__(self, cetree._Document document, chrome):
        self.document = document
        self.chrome = chrome
        self.by_parent = {}
        self.known = {}
        self.last_parent = NULL
        self.last_skipped = False
        self.last_proxy = None

    cdef void paragraph(self, xmlNode* node) except *:
        cdef xmlNode* parent = node.parent
        cdef long text_length, link_length
        if parent is NULL or parent.type != XML_ELEMENT_NODE:
            return
        if parent is not self.last_parent:
            proxy = cetree.elementFactory(self.document, parent)
            skipped = self.known.get(proxy)
            if skipped is None:
                skipped = self.known[proxy] = bool(self.chrome(proxy))
            self.last_parent, self.last_skipped, self.last_proxy = parent, skipped, proxy
        if self.last_skipped:
            return
        text_length = _element_length(node)
        if text_length < _MIN_CHARS:
            return
        link_length = min(_links_length(node), text_length)
        total = self.by_parent.get(self.last_proxy)
        if total is None:
            self.by_parent[self.last_proxy] = [text_length - link_length, link_length]
        else:
            total[0] += text_length - link_length
            total[1] += link_length

    cdef void walk(self, xmlNode* node) except *:
        """``node`` and its descendants in document order, as ``iter()`` has them."""
        if _PARAGRAPHS.holds(node.name):
            self.paragraph(node)
        cdef xmlNode* child = node.children
        while child is not NULL:
            if child.type == XML_ELEMENT_NODE:
                self.walk(child)
            child = child.next


def paragraph_totals(cetree._Element body, chrome):
    """See ``running_text.py``."""
    walk = _Walk(body._doc, chrome)
    walk.walk(body._c_node)
    return walk.by_parent


cdef long _own_length(xmlNode* element) noexcept:
    """Characters other than spaces of the text ``element`` holds itself."""
    cdef Stream stream
    stream.characters = 0
    stream.words = 0
    stream.in_word = False
    cdef xmlNode* child = element.children
    while child is not NULL:
        if (child.type == XML_TEXT_NODE or child.type == XML_CDATA_SECTION_NODE) and child.content is not NULL:
            _feed(&stream, <const unsigned char*>child.content)
        child = child.next
    return stream.characters


cdef void _divs(xmlNode* node, cetree._Document document, list found) except *:
    cdef xmlNode* child = node.children
    cdef long own
    while child is not NULL:
        if child.type == XML_ELEMENT_NODE:
            if strcmp(<const char*>child.name, b"div") == 0:
                own = _own_length(child)
                if own >= _MIN_CHARS:
                    found.append((cetree.elementFactory(document, child), own))
            _divs(child, document, found)
        child = child.next


def divs_with_text(cetree._Element body):
    """See ``running_text.py``."""
    found = []
    _divs(body._c_node, body._doc, found)
    return found
