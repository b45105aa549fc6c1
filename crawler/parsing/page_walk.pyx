# cython: language_level=3, boundscheck=False, wraparound=False
"""``page_walk.py`` in C: the same walks over libxml2's nodes, which lxml keeps behind its
elements, reading attributes and texts where libxml2 keeps them; only what is found
becomes an lxml element. Built by ``scripts/build_native.py`` (Cython) beside the mypyc
modules; the Python module is the reference both are tested against."""

cimport lxml.includes.etreepublic as cetree
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from libc.string cimport strcmp, strlen, strstr
from lxml.includes.tree cimport XML_CDATA_SECTION_NODE, XML_ELEMENT_NODE, XML_TEXT_NODE, xmlAttr, xmlNode

from crawler.parsing.rules import ARTICLE_TAGS, PAGE_CHROME_TAGS

cetree.import_lxml__etree()


include "nodes.pxi"
include "characters.pxi"


__all__ = ["holds_one_of", "holds_several", "is_hidden", "labelled", "linked_children", "marked_trail", "mentions",
           "out_of_sight", "short_texts"]

cdef _Names _NAV = _Names({"nav"})
cdef _Names _LINK = _Names({"a"})
cdef dict _TAG_NAMES = {}  # the tags asked for as _Names, made once per tuple or set
cdef dict _ENCODED = {}  # the labels asked for as UTF-8, made once per tuple


cdef xmlNode* _following(xmlNode* node, xmlNode* top) noexcept:
    """The node after ``node`` in document order inside ``top`` (an element's children
    before its next sibling), NULL past ``top``'s end."""
    if node.type == XML_ELEMENT_NODE and node.children is not NULL:
        return node.children
    while node is not top:
        if node.next is not NULL:
            return node.next
        node = node.parent
    return NULL


cdef inline unsigned char _lower(unsigned char byte) noexcept:
    return byte | 0x20 if 0x41 <= byte <= 0x5A else byte


cdef bint _holds_folded(const unsigned char* text, const char* word) noexcept:
    """``word in text.lower()`` for a lowercase ASCII ``word`` none of whose letters is
    the lowercase of a character outside ASCII (of those, only the Kelvin sign lowers
    to "k" and the dotted capital I to "i" and a combining dot): ASCII alone is lowered."""
    cdef Py_ssize_t index
    while text[0]:
        index = 0
        while word[index] and _lower(text[index]) == <unsigned char>word[index]:
            index += 1
        if not word[index]:
            return True
        text += 1
    return False


cdef const unsigned char* _value(xmlAttr* attribute) noexcept:
    """The attribute's value as libxml2 keeps it; NULL when it is not one text (entity
    references left in an XML tree), which Python then reads."""
    cdef xmlNode* text = attribute.children
    if text is NULL:
        return <const unsigned char*>b""
    if text.next is NULL and text.type == XML_TEXT_NODE and text.content is not NULL:
        return <const unsigned char*>text.content
    return NULL


cdef int _marked(xmlNode* node) noexcept:
    """1 when ``node``'s attributes mark it as the trail, 0 when not, -1 when an attribute
    that may is not plain text."""
    cdef xmlAttr* attribute = node.properties
    cdef const unsigned char* value
    cdef int kind
    while attribute is not NULL:
        kind = 0
        if attribute.ns is NULL:
            if strcmp(<const char*>attribute.name, b"class") == 0 \
                    or strcmp(<const char*>attribute.name, b"id") == 0:
                kind = 1
            elif strcmp(<const char*>attribute.name, b"itemtype") == 0:
                kind = 2
            elif strcmp(<const char*>attribute.name, b"aria-label") == 0 and _NAV.holds(node):
                kind = 1
        if kind:
            value = _value(attribute)
            if value is NULL:
                return -1
            if (kind == 1 and _holds_folded(value, b"breadcrumb")) or (
                    kind == 2 and strstr(<const char*>value, b"BreadcrumbList") is not NULL):
                return 1
        attribute = attribute.next
    return 0


cdef bint _python_marked(element) except -1:
    """``page_walk.py``'s test of one element, for attributes C does not read."""
    for name, value in element.items():
        if name in ("class", "id"):
            if "breadcrumb" in value.lower():
                return True
        elif name == "itemtype":
            if "BreadcrumbList" in value:
                return True
        elif name == "aria-label" and element.tag == "nav" and "breadcrumb" in value.lower():
            return True
    return False


def marked_trail(cetree._Element root not None):
    """See ``page_walk.py``."""
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef int marked
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE:
            marked = _marked(node)
            if marked == 1:
                return cetree.elementFactory(root._doc, node)
            if marked == -1:
                element = cetree.elementFactory(root._doc, node)
                if _python_marked(element):
                    return element
        node = _following(node, top)
    return None


def holds_one_of(cetree._Element element not None, frozenset tags not None):
    """See ``page_walk.py``."""
    cdef _Names names = _TAG_NAMES.get(tags)
    if names is None:
        names = _TAG_NAMES[tags] = _Names(tags)
    return (element._c_node.type == XML_ELEMENT_NODE and names.holds(element._c_node)) \
        or _holds_one_of(element._c_node, names, True)


def holds_several(cetree._Element element not None, frozenset tags not None):
    """See ``page_walk.py``: the subtree walked in document order up to the second."""
    cdef _Names names = _TAG_NAMES.get(tags)
    if names is None:
        names = _TAG_NAMES[tags] = _Names(tags)
    cdef xmlNode* top = element._c_node
    cdef xmlNode* node = top
    cdef int found = 0
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE and names.holds(node):
            found += 1
            if found == 2:
                return True
        node = _following(node, top)
    return False


cdef _Names _PAGE_CHROME = _Names(PAGE_CHROME_TAGS)
cdef _Names _ARTICLES = _Names(ARTICLE_TAGS)


cdef int _hidden(xmlNode* node) noexcept:
    """``is_hidden`` of ``node`` read from its attributes: 1 hidden, 0 not, -1 when Python
    reads them (a style to search, rare on the elements asked; a value that is not one
    text)."""
    cdef xmlAttr* attribute = node.properties
    cdef const unsigned char* value
    cdef int answer = 0
    while attribute is not NULL:
        if attribute.ns is NULL:
            if strcmp(<const char*>attribute.name, b"hidden") == 0:
                return 1
            if strcmp(<const char*>attribute.name, b"aria-hidden") == 0:
                value = _value(attribute)
                if value is NULL:
                    answer = -1
                elif strcmp(<const char*>value, b"true") == 0:
                    return 1
            elif strcmp(<const char*>attribute.name, b"style") == 0:
                answer = -1
        attribute = attribute.next
    return answer


def is_hidden(element):
    """See ``page_walk.py``."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def out_of_sight(cetree._Element element not None):
    """See ``page_walk.py``: the climb over libxml2's nodes, an lxml element made only of
    one whose attributes Python reads."""
    cdef xmlNode* node = element._c_node
    cdef bint chrome = False
    cdef int hidden
    while node is not NULL and node.type == XML_ELEMENT_NODE:
        hidden = _hidden(node)
        if hidden == 1 or (hidden == -1 and is_hidden(cetree.elementFactory(element._doc, node))):
            return True
        if _ARTICLES.holds(node):
            chrome = False
        elif _PAGE_CHROME.holds(node):
            chrome = True
        node = node.parent
    return chrome


def linked_children(cetree._Element element not None, frozenset skipped not None):
    """See ``page_walk.py``: only the children holding a link become lxml elements."""
    cdef _Names names = _TAG_NAMES.get(skipped)
    if names is None:
        names = _TAG_NAMES[skipped] = _Names(skipped)
    cdef xmlNode* child = element._c_node.children
    cdef Py_ssize_t count = 0
    cdef list linked = []
    while child is not NULL:
        if child.type == XML_ELEMENT_NODE and not names.holds(child):
            if _LINK.holds(child) or _holds_one_of(child, _LINK, True):
                linked.append((count, cetree.elementFactory(element._doc, child)))
            count += 1
        child = child.next
    return count, linked


def mentions(bytes source not None, bytes word not None):
    """See ``page_walk.py``: ``word`` (lowercase ASCII) found ASCII-case-blind, the bytes
    read where they are, as ``bytes.lower`` lowers ASCII alone."""
    cdef const unsigned char* data = <const unsigned char*>PyBytes_AS_STRING(source)
    cdef const unsigned char* wanted = <const unsigned char*>PyBytes_AS_STRING(word)
    cdef Py_ssize_t size = PyBytes_GET_SIZE(source), length = PyBytes_GET_SIZE(word)
    cdef Py_ssize_t at, index
    if length == 0:
        return True
    for at in range(size - length + 1):
        if _lower(data[at]) == wanted[0]:
            index = 1
            while index < length and _lower(data[at + index]) == wanted[index]:
                index += 1
            if index == length:
                return True
    return False


cdef bint _starts(xmlNode* element, _Names labels, bint every) except -1:
    """Whether ``element``'s text (its leading text nodes), stripped of leading
    whitespace, is not empty and starts with one of ``labels`` (UTF-8), or with anything when
    ``every`` (an empty label was asked for)."""
    cdef xmlNode* first = element.children
    cdef const unsigned char* head
    cdef const unsigned char* at
    if first is NULL or not _is_text(first):
        return False
    if first.next is not NULL and _is_text(first.next):
        joined = b"".join(_texts(first))  # text split over nodes: joined, as lxml's .text joins it
        head = <const unsigned char*>PyBytes_AS_STRING(joined)
    elif first.content is NULL:
        return False
    else:
        head = <const unsigned char*>first.content
    while head[0]:
        at = head
        if not _isspace(_read(&at)):
            break
        head = at
    if not head[0]:
        return False
    return every or labels.starts(head)


cdef list _texts(xmlNode* node):
    texts = []
    while node is not NULL and _is_text(node):
        if node.content is not NULL:
            texts.append(<bytes>node.content)
        node = node.next
    return texts


def labelled(cetree._Element region not None, tuple tags, tuple labels):
    """See ``page_walk.py``."""
    cdef _Names names = _TAG_NAMES.get(tags)
    if names is None:
        names = _TAG_NAMES[tags] = _Names(tags)
    cdef _Names encoded = _ENCODED.get(labels)
    if encoded is None:
        # no text holds a NUL, which would end the comparison early
        encoded = _ENCODED[labels] = _Names([label for label in labels if label and "\x00" not in label])
    cdef bint every = "" in labels  # an empty label starts every text
    cdef xmlNode* top = region._c_node
    cdef xmlNode* node = top
    found = []
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE and names.holds(node) and _starts(node, encoded, every):
            found.append(cetree.elementFactory(region._doc, node))
        node = _following(node, top)
    return found


cdef inline const unsigned char* _back(const unsigned char* start, const unsigned char* end,
                                      unsigned int* code) noexcept:
    """Where the character before ``end`` starts (not before ``start``); its code in ``code``."""
    cdef const unsigned char* at = end - 1
    while at > start and (at[0] & 0xC0) == 0x80:
        at -= 1
    cdef const unsigned char* read = at
    code[0] = _read(&read)
    return at


cdef bint _paragraph(const unsigned char* text, long most_chars, long most_words) noexcept:
    """``page_walk.py``'s test: more than ``most_chars`` characters and ``most_words`` words
    in ``text.strip().rstrip(": ：")``, read as far as they tell."""
    cdef const unsigned char* start = text
    cdef const unsigned char* end = text + strlen(<const char*>text)
    cdef const unsigned char* at
    cdef unsigned int code
    cdef long characters = 0
    cdef long words = 0
    cdef bint in_word = False
    while start < end:  # strip()
        at = start
        if not _isspace(_read(&at)):
            break
        start = at
    while end > start:
        at = _back(start, end, &code)
        if not _isspace(code):
            break
        end = at
    while end > start:  # rstrip(": ：")
        at = _back(start, end, &code)
        if code != 0x3A and code != 0x20 and code != 0xFF1A:
            break
        end = at
    while start < end:
        code = _read(&start)
        characters += 1
        if _isspace(code):
            in_word = False
        elif not in_word:
            words += 1
            in_word = True
        if characters > most_chars and words > most_words:
            return True
    return False


def short_texts(cetree._Element region not None, tuple tags, long most_chars, long most_words):
    """See ``page_walk.py``."""
    cdef _Names names = _TAG_NAMES.get(tags)
    if names is None:
        names = _TAG_NAMES[tags] = _Names(tags)
    cdef xmlNode* top = region._c_node
    cdef xmlNode* node = top
    cdef xmlNode* first
    cdef const unsigned char* text
    found = []
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE and names.holds(node) and not _has_children(node):
            first = node.children
            if first is not NULL and _is_text(first):
                if first.next is not NULL and _is_text(first.next):
                    joined = b"".join(_texts(first))  # text split over nodes: joined as lxml's .text joins it
                    text = <const unsigned char*>PyBytes_AS_STRING(joined)
                else:
                    text = <const unsigned char*>first.content if first.content is not NULL \
                        else <const unsigned char*>b""
                if text[0] and not _paragraph(text, most_chars, most_words):
                    found.append(cetree.elementFactory(region._doc, node))
        node = _following(node, top)
    return found
