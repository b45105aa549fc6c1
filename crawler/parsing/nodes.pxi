# What the Cython modules of crawler/parsing share (included: scripts/build_native.py).
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.string cimport strcmp
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


cdef class _Names:
    """Tag names as C strings, for a node's name to be looked up without a Python string:
    sorted, and indexed by their first byte, so a lookup compares a name or two."""

    cdef list kept  # the bytes the C strings point into
    cdef const char** names
    cdef int first[257]  # the names starting with byte b: names[first[b]:first[b + 1]]

    def __cinit__(self, names):
        self.kept = sorted(name.encode() for name in names)
        self.names = <const char**>PyMem_Malloc(max(len(self.kept), 1) * sizeof(char*))
        if self.names is NULL:
            raise MemoryError()
        for index, name in enumerate(self.kept):
            self.names[index] = PyBytes_AS_STRING(name)
        position = 0
        for byte in range(257):
            while position < len(self.kept) and self.kept[position][0] < byte:
                position += 1
            self.first[byte] = position

    def __dealloc__(self):
        PyMem_Free(self.names)

    cdef bint holds(self, xmlNode* node) noexcept:
        """Whether ``node``'s tag, as lxml gives it, is one of the names: a node in a
        namespace (an XML tree's) is named ``{uri}name`` there, so it is none of them."""
        cdef int index
        if node.ns is not NULL:
            return False
        for index in range(self.first[node.name[0]], self.first[node.name[0] + 1]):
            if strcmp(<const char*>node.name, self.names[index]) == 0:
                return True
        return False

    cdef bint starts(self, const unsigned char* text) noexcept:
        """Whether ``text`` starts with one of the names (a name is a prefix of it): the
        names starting with its first byte compared, most texts none."""
        cdef int index
        cdef const unsigned char* name
        cdef const unsigned char* at
        for index in range(self.first[text[0]], self.first[text[0] + 1]):
            name = <const unsigned char*>self.names[index]
            at = text
            while name[0] and name[0] == at[0]:
                name += 1
                at += 1
            if not name[0]:
                return True
        return False

    cdef bint holds_folded(self, xmlNode* node) noexcept:
        """:meth:`holds` of the tag as ``str.lower`` lowers it (the names are lowercase)."""
        cdef int index, width
        if node.ns is not NULL:
            return False
        cdef unsigned char first = _folded(node.name, &width)
        for index in range(self.first[first], self.first[first + 1]):
            if _folded_equal(node.name, <const unsigned char*>self.names[index]):
                return True
        return False


cdef inline unsigned char _folded(const unsigned char* name, int* width) noexcept:
    """The byte of the character at ``name`` once ``str.lower`` has lowered it, for the
    names of ASCII tags: an ASCII capital lowered, and the Kelvin sign (U+212A, the one
    character outside ASCII that lowers into it) read as "k"; any other byte as it is.
    Not ``strcasecmp``, which follows the C locale."""
    if name[0] == 0xE2 and name[1] == 0x84 and name[2] == 0xAA:
        width[0] = 3
        return 0x6B
    width[0] = 1
    return name[0] | 0x20 if 0x41 <= name[0] <= 0x5A else name[0]


cdef bint _folded_equal(const unsigned char* name, const unsigned char* lowercase) noexcept:
    """Whether ``name`` lowered by ``str.lower`` is ``lowercase`` (an ASCII name)."""
    cdef int width
    while name[0]:
        if _folded(name, &width) != lowercase[0]:
            return False
        name += width
        lowercase += 1
    return lowercase[0] == 0


cdef bint _has_marks(xmlNode* node) noexcept:
    """Whether ``node`` has a class or an id attribute (without a namespace, as lxml's
    ``get("class")`` reads them)."""
    cdef xmlAttr* attribute = node.properties
    while attribute is not NULL:
        if attribute.ns is NULL and (strcmp(<const char*>attribute.name, b"class") == 0
                                     or strcmp(<const char*>attribute.name, b"id") == 0):
            return True
        attribute = attribute.next
    return False


cdef inline bint _is_text(xmlNode* node) noexcept:
    return node.type == XML_TEXT_NODE or node.type == XML_CDATA_SECTION_NODE


cdef inline bint _is_child(xmlNode* node) noexcept:
    """Whether lxml counts ``node`` in ``len()`` and iterates it: an element, a comment, a
    processing instruction or an entity reference."""
    return node.type == XML_ELEMENT_NODE or node.type == XML_COMMENT_NODE or node.type == XML_PI_NODE \
        or node.type == XML_ENTITY_REF_NODE


cdef bint _has_children(xmlNode* node) noexcept:
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is_child(child):
            return True
        child = child.next
    return False


cdef bint _holds_one_of(xmlNode* element, _Names names, bint deep) noexcept:
    """Whether a child of ``element`` (with ``deep``, any element below it: what
    ``element.iter(...)`` finds, ``element`` being none of them) is one of ``names``."""
    cdef xmlNode* child = element.children
    while child is not NULL:
        if child.type == XML_ELEMENT_NODE \
                and (names.holds(child) or deep and _holds_one_of(child, names, True)):
            return True
        child = child.next
    return False


cdef object _marks(xmlNode* node):
    """``blocks.marks_of`` of ``node``: its class and id, lowercased; None without either.
    lxml's ``get`` reads them by the same call."""
    classes = cetree.attributeValueFromNsName(node, NULL, <const unsigned char*>b"class")
    ident = cetree.attributeValueFromNsName(node, NULL, <const unsigned char*>b"id")
    if not classes and not ident:
        return None
    return f"{classes or ''} {ident or ''}".lower()


cdef class _Chrome:
    """A ``chrome.ChromeRule`` asked of libxml2's nodes: :meth:`holds` is its ``is_chrome``
    without an lxml element; only the marker search, cached, is called in Python."""

    cdef _Names tags
    cdef _Names own_rule  # the tags of ``by_tag``
    cdef dict by_tag
    cdef object marked
    cdef _Names unless_holding

    def __cinit__(self, rule):
        self.tags = _Names(rule.tags)
        self.own_rule = _Names(rule.by_tag)
        self.by_tag = dict(rule.by_tag)
        self.marked = rule.marked
        self.unless_holding = _Names(rule.unless_holding) if rule.unless_holding else None

    cdef bint holds(self, xmlNode* node) except -1:
        """Whether the element ``node`` is chrome by the rule."""
        marked = self.marked
        if self.own_rule.holds(node):
            marked = self.by_tag[(<const char*>node.name).decode("utf-8")]
            if marked is None:
                return False
        if not self.tags.holds(node):
            if not _has_marks(node):
                return False
            marks = _marks(node)
            if marks is None or not marked(marks):
                return False
        return self.unless_holding is None or not (
            self.unless_holding.holds(node) or _holds_one_of(node, self.unless_holding, True))


cdef dict _CHROME_RULES = {}


cdef _Chrome _compiled(rule):
    """The :class:`_Chrome` of ``rule``, made once: the rules are module constants."""
    known = _CHROME_RULES.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    if len(_CHROME_RULES) >= 64:
        _CHROME_RULES.clear()
    compiled = _Chrome(rule)
    _CHROME_RULES[id(rule)] = (rule, compiled)
    return compiled
