# cython: language_level=3, boundscheck=False, wraparound=False
"""``card_walk.py`` in C: the entries found over libxml2's nodes and their text read from
the nodes into one buffer; only the links become lxml elements. Built by
``scripts/build_native.py`` (Cython) beside the mypyc modules; the Python module is the
reference both are tested against."""

cimport lxml.includes.etreepublic as cetree
from cpython.mem cimport PyMem_Free
from lxml.includes.tree cimport (
    XML_CDATA_SECTION_NODE,
    XML_COMMENT_NODE,
    XML_ELEMENT_NODE,
    XML_ENTITY_REF_NODE,
    XML_PI_NODE,
    XML_TEXT_NODE,
    xmlAttr,
    xmlNode,
)

cetree.import_lxml__etree()


include "nodes.pxi"
include "characters.pxi"
include "texts.pxi"


__all__ = ["teasers"]

cdef _Names _ITEM = _Names({"li"})
cdef _Names _LINK = _Names({"a"})


cdef bint _is_link(xmlNode* node) except -1:
    """An ``<a>`` whose ``href``, as lxml's ``get`` reads it, is not empty."""
    if node.type != XML_ELEMENT_NODE or not _LINK.holds(node):
        return False
    cdef xmlAttr* attribute = node.properties
    while attribute is not NULL:
        if attribute.ns is NULL and strcmp(<const char*>attribute.name, b"href") == 0:
            if attribute.children is NULL:
                return False
            if attribute.children.next is NULL and attribute.children.type == XML_TEXT_NODE \
                    and attribute.children.content is not NULL:
                return attribute.children.content[0] != 0
            return bool(cetree.attributeValueFromNsName(node, NULL, <const unsigned char*>b"href"))
        attribute = attribute.next
    return False


cdef xmlNode* _following(xmlNode* node, xmlNode* top) noexcept:
    """The element after ``node`` in document order inside ``top``, NULL past its end."""
    while True:
        if node.type == XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
        else:
            while node is not top and node.next is NULL:
                node = node.parent
            if node is top:
                return NULL
            node = node.next
        if node.type == XML_ELEMENT_NODE:
            return node


cdef xmlNode* _first_link(xmlNode* item) except? NULL:
    """``card_walk._first_link``: the first link with text, else the first link."""
    cdef xmlNode* first = NULL
    cdef xmlNode* node = _following(item, item)
    while node is not NULL:
        if _is_link(node):
            if _has_text(node):
                return node
            if first is NULL:
                first = node
        node = _following(node, item)
    return first


cdef int _write_element(Text* text, xmlNode* element) except -1:
    """``element_text(element)`` written into ``text`` as a part of its own."""
    _write(text, b" ", False, None)
    _collect(element, text, False, None)
    _write(text, b" ", False, None)
    return 0


cdef str _beside(xmlNode* entry, xmlNode* anchor, list extra):
    """``card_walk._beside``: each part is written between spaces, which the writer makes
    one where text is on both sides and none at the edges, as the join normalized does."""
    cdef Text text
    text.data, text.length, text.capacity, text.space = NULL, 0, 0, False
    cdef xmlNode* linked = anchor
    cdef xmlNode* child
    try:
        if anchor is not entry:
            while linked.parent is not entry and linked.parent is not NULL:
                linked = linked.parent
            child = entry.children
            while child is not NULL:
                if _is_text(child):
                    if child.content is not NULL:
                        _write(&text, <const unsigned char*>child.content, False, None)
                elif _is_child(child):
                    if child is not linked and child.type == XML_ELEMENT_NODE:
                        _write_element(&text, child)
                    else:
                        _write(&text, b" ", False, None)
                child = child.next
        for element in extra:
            _write_element(&text, (<cetree._Element>element)._c_node)
        return _take(&text) if text.length else ""
    finally:
        PyMem_Free(text.data)


cdef int _depth(xmlNode* node) noexcept:
    cdef int depth = 0
    while node.parent is not NULL:
        node = node.parent
        depth += 1
    return depth


cdef xmlNode* _lowest_common(xmlNode* one, int one_depth, xmlNode* other) noexcept:
    """The lowest element that is or holds both nodes."""
    cdef int other_depth = _depth(other)
    while one_depth > other_depth:
        one, one_depth = one.parent, one_depth - 1
    while other_depth > one_depth:
        other, other_depth = other.parent, other_depth - 1
    while one is not other:
        one, other = one.parent, other.parent
    return one


cdef xmlNode* _entry(xmlNode* anchor, xmlNode* before, xmlNode* after, xmlNode* top) noexcept:
    """The largest element around ``anchor`` inside ``top`` that holds no other link, as
    ``HeldCounts`` tells it. The links in page order, the first element above ``anchor``
    holding another one holds the link before it or the one after it: the lower of the
    two lowest elements holding ``anchor`` and one of them."""
    cdef int depth = _depth(anchor)
    cdef xmlNode* holder = top
    cdef xmlNode* common
    if before is not NULL:
        holder = _lowest_common(anchor, depth, before)
    if after is not NULL:
        common = _lowest_common(anchor, depth, after)
        if holder is top or _depth(common) > _depth(holder):
            holder = common
    cdef xmlNode* entry = anchor
    while entry is not holder and entry.parent is not holder:
        entry = entry.parent
    return entry


cdef bint _holds_link(xmlNode* element) except -1:
    cdef xmlNode* node = element
    while node is not NULL:
        if _is_link(node):
            return True
        node = _following(node, element)
    return False


def teasers(cetree._Element block not None) -> list:
    """See ``card_walk.py``."""
    cdef xmlNode* top = block._c_node
    cdef xmlNode* node
    cdef xmlNode* entry
    cdef xmlNode* sibling
    cdef list found = []
    document = block._doc
    if _ITEM.holds(top) or _holds_one_of(top, _ITEM, True):
        node = top
        while node is not NULL:
            if _ITEM.holds(node):
                entry = _first_link(node)
                if entry is not NULL:
                    found.append((cetree.elementFactory(document, entry), _beside(node, entry, [])))
            node = _following(node, top)
        return found
    cdef list anchors = []
    node = top
    while node is not NULL:
        if _is_link(node):
            anchors.append(cetree.elementFactory(document, node))
        node = _following(node, top)
    cdef Py_ssize_t index, last = len(anchors) - 1
    for index in range(last + 1):
        node = (<cetree._Element>anchors[index])._c_node
        entry = _entry(node, (<cetree._Element>anchors[index - 1])._c_node if index else NULL,
                       (<cetree._Element>anchors[index + 1])._c_node if index < last else NULL, top)
        extra = []
        if entry is not top:  # a lone link's siblings are not its own
            sibling = entry.next
            while sibling is not NULL:
                if _is_child(sibling):
                    if sibling.type != XML_ELEMENT_NODE or _holds_link(sibling):
                        break
                    extra.append(cetree.elementFactory(document, sibling))
                sibling = sibling.next
        found.append((anchors[index], _beside(entry, node, extra)))
    return found
