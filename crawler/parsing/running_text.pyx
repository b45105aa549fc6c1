# cython: language_level=3, boundscheck=False, wraparound=False
"""``running_text.py`` in C: the same measures read from libxml2's nodes, which lxml keeps
behind its elements, so that a node passed over costs a pointer step instead of a Python
object. Only the paragraphs' parents and the divs that hold text become lxml elements;
the chrome rule is asked of the nodes themselves (``nodes.pxi``). Built by
``scripts/build_native.py`` (Cython) beside the mypyc modules; the Python module is the
reference both are tested against.

Text is measured as ``core.text.normalize`` would leave it: zero-width and control
characters dropped, every run of whitespace one space, trimmed; an element's text joined
as ``crawler.parsing.text.element_text`` joins it (a space at the edges of block
elements and for ``<br>``, nothing from skipped elements).
"""

cimport lxml.includes.etreepublic as cetree
from libc.limits cimport LONG_MAX
from libc.string cimport memcpy, strlen
from lxml.includes.tree cimport XML_CDATA_SECTION_NODE, XML_ELEMENT_NODE, XML_TEXT_NODE, xmlNode

from crawler.parsing.rules import BLOCK_TAGS, DENSITY_TAGS, MIN_PARAGRAPH_CHARS, SKIP_TAGS

cetree.import_lxml__etree()


include "nodes.pxi"
include "characters.pxi"


cdef _Names _SKIPPED = _Names(SKIP_TAGS)
cdef _Names _BLOCKS = _Names(BLOCK_TAGS)
cdef _Names _PARAGRAPHS = _Names(DENSITY_TAGS)
cdef _Names _BR = _Names({"br"})
cdef _Names _LINK = _Names({"a"})
cdef _Names _DIV = _Names({"div"})
cdef long _MIN_CHARS = MIN_PARAGRAPH_CHARS


cdef struct Stream:
    long characters  # visible characters
    long words
    bint in_word


cdef inline void _space(Stream* stream) noexcept:
    stream.in_word = False


cdef void _feed(Stream* stream, const unsigned char* text) noexcept:
    """Count ``text`` (UTF-8, as libxml2 keeps it) into ``stream``: characters ``normalize``
    drops are passed over (they join what surrounds them), the whitespace ``str.split``
    splits on ends a word. Eight bytes of printable ASCII are counted at once: their
    visible bytes, and the words that start among them (a visible byte after a space, or
    after the stream's last character when that was no word's). Other text, and ASCII
    beside a tab, a line feed or a control character, is read a character at a time for
    those eight bytes. The counts are kept in locals while the text is read: a store
    through ``stream`` may alias the text's bytes, which the compiler would read again."""
    cdef long characters = stream.characters, words = stream.words
    cdef bint in_word = stream.in_word
    cdef unsigned char byte, kind
    cdef const unsigned char* end = text + strlen(<const char*>text)
    cdef const unsigned char* stop  # read a character at a time up to here
    cdef uint64_t chunk, visible
    while text < end:
        stop = end
        if HC_LITTLE_ENDIAN and end - text >= 8:
            memcpy(&chunk, text, 8)
            if _plain_ascii(chunk):
                visible = _visible_flags(chunk)
                characters += _flagged(visible)
                words += _flagged(visible & ~((visible << 8) | (0x80 if in_word else 0)))
                in_word = (visible >> 63) != 0
                text += 8
                continue
            stop = text + 8
        while text < stop:
            byte = text[0]
            if byte < 0x80:
                text += 1
                kind = _ASCII_KINDS[byte]
            else:
                kind = _kind(_read(&text))
            if kind == VISIBLE:
                characters += 1
                if not in_word:
                    words += 1
                    in_word = True
            elif kind == SPACE:
                in_word = False
    stream.characters, stream.words, stream.in_word = characters, words, in_word


cdef inline long _length(Stream* stream) noexcept:
    return stream.characters + stream.words - 1 if stream.words else 0


cdef bint _text_of(xmlNode* element, Stream* stream, long limit) noexcept:
    """``element``'s text as ``element_text`` joins it, into ``stream``, until more than
    ``limit`` characters other than spaces are read: True when it stopped there."""
    cdef xmlNode* child = element.children
    cdef bint block
    if element.type != XML_ELEMENT_NODE:  # a comment or a processing instruction: its text
        if element.content is not NULL:
            _feed(stream, <const unsigned char*>element.content)
        return stream.characters > limit
    while child is not NULL:
        if child.type == XML_TEXT_NODE or child.type == XML_CDATA_SECTION_NODE:
            if child.content is not NULL:
                _feed(stream, <const unsigned char*>child.content)
                if stream.characters > limit:
                    return True
        elif child.type == XML_ELEMENT_NODE:
            if _BR.holds_folded(child):
                _space(stream)
            elif not _SKIPPED.holds_folded(child):
                block = _BLOCKS.holds_folded(child)
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
    ``len(element_text(element))``, measured from the nodes each time it is asked. A walk
    keeps libxml2's node pointers while it runs: nothing it calls back may change the tree."""

    def __call__(self, cetree._Element element not None) -> int:
        return _element_length(element._c_node)

    def longer_than(self, cetree._Element element not None, long limit) -> bool:
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
            if _LINK.holds(child):
                total += _element_length(child)
            total += _links_length(child)
        child = child.next
    return total


class RunningText:
    """See ``running_text.py``."""

    __slots__ = ("totals", "divs")

    def __init__(self, totals, divs):
        self.totals = totals
        self.divs = divs


cdef struct Frame:
    xmlNode* node
    int under  # under chrome: -1 not known yet, 0 no, 1 yes
    Frame* parent


cdef class _Walk:
    """One walk over ``body``: the paragraphs' totals per parent and the divs holding
    text, of elements not under chrome. Whether an element is under chrome is asked only
    when a paragraph's parent or a div needs it, and answered once, from the top down."""

    cdef cetree._Document document
    cdef _Chrome chrome
    cdef list headline_chain  # what holds the headline: never chrome
    cdef dict by_parent
    cdef list divs
    cdef xmlNode* last_parent
    cdef object last_proxy

    def __cinit__(self, cetree._Document document, _Chrome chrome, list headline_chain):
        self.document = document
        self.chrome = chrome
        self.headline_chain = headline_chain
        self.by_parent = {}
        self.divs = []
        self.last_parent = NULL
        self.last_proxy = None

    cdef bint under(self, Frame* frame) except -1:
        if frame.under < 0:
            if self.holds_headline(frame.node):
                frame.under = 0
            elif frame.parent is not NULL and self.under(frame.parent):
                frame.under = 1
            else:
                frame.under = self.chrome.holds(frame.node)
        return frame.under

    cdef bint holds_headline(self, xmlNode* node) except -1:
        for address in self.headline_chain:
            if <size_t>address == <size_t>node:
                return True
        return False

    cdef int paragraph(self, xmlNode* node, Frame* parent) except -1:
        cdef long text_length, link_length
        if parent is NULL or self.under(parent):
            return 0
        text_length = _element_length(node)
        if text_length < _MIN_CHARS:
            return 0
        link_length = min(_links_length(node), text_length)
        if parent.node is not self.last_parent:
            self.last_parent = parent.node
            self.last_proxy = cetree.elementFactory(self.document, parent.node)
        total = self.by_parent.get(self.last_proxy)
        if total is None:
            self.by_parent[self.last_proxy] = [text_length - link_length, link_length]
        else:
            total[0] += text_length - link_length
            total[1] += link_length
        return 0

    cdef int walk(self, xmlNode* node, Frame* parent, bint top) except -1:
        """``node`` and its descendants in document order, as ``iter()`` has them."""
        cdef Frame frame
        cdef long own
        frame.node, frame.under, frame.parent = node, -1, parent
        if _PARAGRAPHS.holds(node):
            self.paragraph(node, parent)
        elif not top and _DIV.holds(node):
            own = _own_length(node)
            if own >= _MIN_CHARS and not self.under(&frame):
                self.divs.append((cetree.elementFactory(self.document, node), own))
        cdef xmlNode* child = node.children
        while child is not NULL:
            if child.type == XML_ELEMENT_NODE:
                self.walk(child, &frame, False)
            child = child.next
        return 0


def running_text(cetree._Element body not None, chrome, headline):
    """See ``running_text.py``."""
    cdef Frame parent
    cdef xmlNode* above = body._c_node.parent
    chain = [<size_t>(<cetree._Element>ancestor)._c_node for ancestor in headline.iterancestors()] \
        if headline is not None else []
    walk = _Walk(body._doc, _compiled(chrome), chain)
    if above is not NULL and above.type == XML_ELEMENT_NODE:
        parent.node, parent.under, parent.parent = above, -1, NULL
        _link_ancestors(walk, body._c_node, &parent)
    else:
        walk.walk(body._c_node, NULL, True)
    return RunningText(walk.by_parent, walk.divs)


cdef int _link_ancestors(_Walk walk, xmlNode* body, Frame* lowest) except -1:
    """Frames for every ancestor of ``body``, each on this C stack, linked upward; then the
    walk. ``lowest`` is the frame of ``body``'s parent; the next call adds the one above."""
    cdef Frame frame
    cdef Frame* top = lowest
    while top.parent is not NULL:
        top = top.parent
    cdef xmlNode* above = top.node.parent
    if above is not NULL and above.type == XML_ELEMENT_NODE:
        frame.node, frame.under, frame.parent = above, -1, NULL
        top.parent = &frame
        return _link_ancestors(walk, body, lowest)
    return walk.walk(body, lowest, True)


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
