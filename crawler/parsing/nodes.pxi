# What the Cython modules of crawler/parsing share (included: scripts/build_native.py).
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.mem cimport PyMem_Malloc
from libc.string cimport strcasecmp, strcmp
from lxml.includes.tree cimport xmlAttr, xmlNode


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

    cdef bint holds_folded(self, xmlNode* node) noexcept:
        """:meth:`holds` of the tag lowercased (the names are lowercase)."""
        cdef int index
        cdef unsigned char first = node.name[0] | 0x20 if 0x41 <= node.name[0] <= 0x5A else node.name[0]
        if node.ns is not NULL:
            return False
        for index in range(self.first[first], self.first[first + 1]):
            if strcasecmp(<const char*>node.name, self.names[index]) == 0:
                return True
        return False


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
